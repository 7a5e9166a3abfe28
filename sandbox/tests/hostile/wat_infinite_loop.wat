;; expect: TLE
(module (func (export "_start") (loop $l br $l)))
