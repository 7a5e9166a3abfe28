# expect: RE
# message: ValueError
raise ValueError("boom")
