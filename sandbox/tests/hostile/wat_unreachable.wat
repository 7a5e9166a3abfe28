;; expect: RE
;; message: unreachable
(module (func (export "_start") unreachable))
