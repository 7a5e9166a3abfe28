# expect: CE
# message: SyntaxError
def broken(:
    pass
