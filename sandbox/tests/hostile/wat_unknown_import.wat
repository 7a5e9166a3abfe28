;; expect: CE
;; message: env
(module
  (import "env" "launch_missiles" (func $launch))
  (func (export "_start") call $launch))
