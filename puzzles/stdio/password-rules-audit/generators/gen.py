"""Writes data/secret/*.in for password-rules-audit (deterministic)."""
import os
import random
import string

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "secret")
PRINTABLE = "".join(chr(c) for c in range(33, 127))
ALNUM = string.ascii_letters + string.digits


def write(name, rows):
    with open(os.path.join(OUT, name), "w") as f:
        f.write("%d\n" % len(rows))
        f.write("".join("%s %s\n" % r for r in rows))


def rand_user(rng):
    return "".join(rng.choice(ALNUM) for _ in range(rng.randint(1, 10)))


def mutate_case(rng, s):
    return "".join(c.swapcase() if rng.random() < 0.5 else c for c in s)


def rand_pw(rng, user):
    kind = rng.randint(0, 9)
    length = rng.choice([rng.randint(1, 100), rng.randint(6, 22), rng.randint(8, 20)])
    if kind <= 2:
        alphabet = PRINTABLE
    elif kind <= 4:
        alphabet = rng.choice([string.ascii_lowercase + string.digits, string.ascii_letters,
                               string.ascii_uppercase + string.digits + "!?#"])
    elif kind <= 6:
        alphabet = "aA1"
    else:
        alphabet = ALNUM + "!@#$"
    pw = [rng.choice(alphabet) for _ in range(length)]
    if kind == 7 and length >= len(user):
        pos = rng.randint(0, length - len(user))
        pw[pos:pos + len(user)] = list(mutate_case(rng, user))
    if kind == 8 and length >= 3:
        pos = rng.randint(0, length - 3)
        c = rng.choice(PRINTABLE)
        pw[pos:pos + 3] = [c, c, c]
    return "".join(pw)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(909)
    write("01.in", [("a", "Abcdefg1")])  # contains 'a' ignoring case -> rule 4
    write("02.in", [
        ("zz", "Abcdef1"), ("zz", "Abcdefg1"), ("zz", "Abcdefghijklmnopqrs1"),
        ("zz", "Abcdefghijklmnopqrst1"), ("zz", "A" * 100), ("q", "!"),
        ("x9", "aB3aa9X!"), ("x9", "aB3aaa9!"), ("X9", "aB3ax9!!"), ("9", "aB3aaX!!"),
        ("abc", "ABC12abxyz"), ("abc", "AB12abXcyz"), ("Q1w2", "aaQ1W2bbC"),
        ("a1", "~~~aA1bcde"), ("a1", "~~A1bcde"), ("Zed", "zEdz1Z2zzD"),
    ])
    write("03.in", [("user", "aA1" * 6 + "bB")])
    write("04.in", [(u, rand_pw(rng, u)) for u in (rand_user(rng) for _ in range(200))])
    rows = []
    for _ in range(2000):
        u = rand_user(rng)
        rows.append((u, rand_pw(rng, u)))
    write("05.in", rows)
    rows = []
    for _ in range(2000):
        u = "".join(rng.choice("aA1") for _ in range(rng.randint(1, 3)))
        rows.append((u, "".join(rng.choice("aAbB12") for _ in range(rng.randint(8, 20)))))
    write("06.in", rows)
    rows = []
    for _ in range(2000):
        u = "".join(rng.choice(ALNUM) for _ in range(10))
        rows.append((u, "".join(rng.choice(PRINTABLE) for _ in range(100))))
    write("07.in", rows)
    rows = []
    for _ in range(2000):
        u = rand_user(rng)
        pw = "Xy7" + "".join(rng.choice("!#%&" + string.ascii_lowercase) for _ in range(rng.randint(5, 17)))
        rows.append((u, pw))
    write("08.in", rows)
    write("09.in", [("ab", "xyzXYZ12aaa"), ("Ab", "12345678"), ("z", "Zz9Zz9Zz9"), ("k", "~~~~~~~~"),
                    ("QQ", "abcdefgH1" + "q" * 11), ("QQ", "abcdefgH1" + "Q" * 2 + "x" * 9),
                    ("0", "aA1" + "!" * 5), ("9", "Passw0rd"), ("A", "bB1" * 7)])



main()
