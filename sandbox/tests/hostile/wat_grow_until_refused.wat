;; expect: MLE
(module
  (memory 1)
  (func (export "_start")
    (loop $l
      (if (i32.eq (memory.grow (i32.const 16)) (i32.const -1)) (then unreachable))
      br $l)))
