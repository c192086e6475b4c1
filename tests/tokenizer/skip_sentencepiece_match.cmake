# Included by CTest: the reference comparisons of tests/sentencepiece_test.cc call GTEST_SKIP when
# python3-sentencepiece or the text corpus is missing (and in cross builds); CTest should report
# them as skipped rather than passed.
set_tests_properties(SentencePieceMatch.TestSplit SentencePieceMatch.ValidationSplit
                     SentencePieceMatch.HardCases SentencePieceMatch.VariantPlain
                     SentencePieceMatch.VariantUnused SentencePieceMatch.Decode
                     Gpt2TextMatch.TestSplit
                     PROPERTIES SKIP_REGULAR_EXPRESSION "\\[  SKIPPED \\]")
