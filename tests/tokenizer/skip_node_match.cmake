# Included by CTest (cross builds only): TokenizerNodeMatch.Corpus calls GTEST_SKIP there, and
# CTest should report it as skipped rather than passed.
set_tests_properties(TokenizerNodeMatch.Corpus PROPERTIES
                     SKIP_REGULAR_EXPRESSION "\\[  SKIPPED \\]")
