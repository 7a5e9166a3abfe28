;; expect: TLE
;; The loop runs in the module's start function, during instantiation.
(module
  (func $spin (loop $l br $l))
  (start $spin)
  (func (export "_start")))
