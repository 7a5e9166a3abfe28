;; expect: CE
;; message: _start
(module (func (export "main")))
