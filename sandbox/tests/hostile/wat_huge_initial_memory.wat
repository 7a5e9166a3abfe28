;; expect: MLE
(module (memory 40000) (func (export "_start")))
