// expect: CE
// Each level doubles a type pack: 2^40 types. The compiler is stopped by its limits.
template <class... T> struct L {};
template <int N, class... T> struct B { using type = typename B<N - 1, T..., T...>::type; };
template <class... T> struct B<0, T...> { using type = L<T...>; };
int main() { B<40, int>::type x; (void)x; }
