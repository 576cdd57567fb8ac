// text: UTF-8 decoding/encoding, normalisation, Hangul decomposition.

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "melclass/text/unicode.h"

using namespace melclass::text;

TEST(Utf8, DecodesOneToFourByteSequences) {
  // "aé한😀": 1, 2, 3 and 4 bytes.
  const std::string s = "a\xC3\xA9\xED\x95\x9C\xF0\x9F\x98\x80";
  EXPECT_EQ(decode_utf8(s), (std::u32string{U'a', 0xE9, 0xD55C, 0x1F600}));
  EXPECT_EQ(encode_utf8(decode_utf8(s)), s);
  EXPECT_EQ(decode_utf8(""), U"");
}

TEST(Utf8, RoundTripsEveryScalarValueRange) {
  const std::u32string cps = {0x0,    0x7F,    0x80,     0x7FF,  0x800,  0xD7FF, 0xE000, 0xFFFD,
                              0xFFFF, 0x10000, 0x10FFFF, 0x3042, 0x30AB, 0x6F22, 0xAC00, 0xD7A3};
  EXPECT_EQ(decode_utf8(encode_utf8(cps)), cps);
  EXPECT_EQ(encode_utf8(std::u32string{0x10FFFF}), "\xF4\x8F\xBF\xBF");
}

TEST(Utf8, InvalidBytesBecomeReplacementCharacters) {
  const char32_t r = 0xFFFD;
  EXPECT_EQ(decode_utf8("a\xFF\x62"), (std::u32string{U'a', r, U'b'}));
  EXPECT_EQ(decode_utf8("\x80\xBF"), (std::u32string{r, r}));                // lone continuations
  EXPECT_EQ(decode_utf8("\xC0\xAF"), (std::u32string{r, r}));                // overlong '/'
  EXPECT_EQ(decode_utf8("\xE0\x80\xAF"), (std::u32string{r, r, r}));         // overlong, 3 bytes
  EXPECT_EQ(decode_utf8("\xED\xA0\x80"), (std::u32string{r, r, r}));         // surrogate D800
  EXPECT_EQ(decode_utf8("\xF4\x90\x80\x80"), (std::u32string{r, r, r, r}));  // > U+10FFFF
  // Truncated sequences: one U+FFFD per maximal subpart, the next byte read again.
  EXPECT_EQ(decode_utf8("\xED\x95\x61"), (std::u32string{r, U'a'}));
  EXPECT_EQ(decode_utf8("\xF0\x9F\x98"), (std::u32string{r}));
  EXPECT_EQ(decode_utf8("\xE2\x82\xC3\xA9"), (std::u32string{r, 0xE9}));
}

TEST(Utf8, EncodeReplacesNonScalarValues) {
  EXPECT_EQ(encode_utf8(std::u32string{0xD800, U'x', 0x110000}), "\xEF\xBF\xBDx\xEF\xBF\xBD");
}

TEST(Normalize, FullwidthAsciiAndSpaces) {
  // "ＲＵＤＩＥＳ！！" with an ideographic space and tabs around.
  EXPECT_EQ(normalize(U"\u3000 \tＲＵＤＩＥＳ　ＩＮ ！！\n"), U"rudies in !!");
  EXPECT_EQ(normalize(U"a  \u00A0 b\u2003\u2003c"), U"a b c");
  EXPECT_EQ(normalize(U"   "), U"");
  EXPECT_EQ(normalize(U"ｚ～"), U"z~");
}

TEST(Normalize, LowercasesEuropeanScripts) {
  EXPECT_EQ(normalize(U"HAKASE-SUN Let's"), U"hakase-sun let's");
  EXPECT_EQ(normalize(U"ÀÉÎÕÜ ÇÑ ß ×"), U"àéîõü çñ ß ×");
  EXPECT_EQ(normalize(U"ĀĆŁŃŒŠŽŸĹ"), U"āćłńœšžÿĺ");
  EXPECT_EQ(normalize(U"ΑΒΓ ΆΈΏ Σ"), U"αβγ άέώ σ");
  EXPECT_EQ(normalize(U"МОСКВА ЁЖ Ѣ"), U"москва ёж ѣ");
}

TEST(Normalize, KeepsCjkAsIs) {
  EXPECT_EQ(normalize(U"ドリーム・オブ・フリーダム"), U"ドリーム・オブ・フリーダム");
  EXPECT_EQ(normalize(U"ｶﾀｶﾅ"), U"ｶﾀｶﾅ");  // halfwidth kana are not folded
  EXPECT_EQ(normalize(U"가요곡/엔카 五木ひろし"), U"가요곡/엔카 五木ひろし");
}

TEST(Hangul, DecomposesSyllablesIntoJamo) {
  EXPECT_EQ(decompose_hangul(U"\uD55C"), (std::u32string{0x1112, 0x1161, 0x11AB}));  // 한
  EXPECT_EQ(decompose_hangul(U"\uAC00"), (std::u32string{0x1100, 0x1161}));  // 가: no final
  EXPECT_EQ(decompose_hangul(U"\uD7A3"), (std::u32string{0x1112, 0x1175, 0x11C2}));  // 힣
  EXPECT_EQ(decompose_hangul(U"a한b"), (std::u32string{U'a', 0x1112, 0x1161, 0x11AB, U'b'}));
  EXPECT_EQ(decompose_hangul(U"カナ"), U"カナ");
}

TEST(Classes, SpacesAndPunctuation) {
  for (char32_t c : {U' ', U'\t', char32_t{0x3000}, char32_t{0xA0}}) EXPECT_TRUE(is_space(c));
  for (char32_t c : {U'a', U'-', char32_t{0xAC00}}) EXPECT_FALSE(is_space(c));
  for (char32_t c : std::u32string(U"!()-.,'/&・「」、。【】"))
    EXPECT_TRUE(is_punct(c)) << static_cast<uint32_t>(c);
  for (char32_t c : std::u32string(U"aZ09éя가カ漢ー"))
    EXPECT_FALSE(is_punct(c)) << static_cast<uint32_t>(c);
}

TEST(Shapes, WordShapes) {
  EXPECT_EQ(word_shape(U"Marvin"), U"Aaa");
  EXPECT_EQ(word_shape(U"UB40"), U"AA00");
  EXPECT_EQ(word_shape(U"LET'S"), U"AA'A");
  EXPECT_EQ(word_shape(U"ＲＵＤＩＥＳ"), U"AA");  // fullwidth folded
  EXPECT_EQ(word_shape(U"ドリーム・オブ"), U"kk・kk");
  EXPECT_EQ(word_shape(U"五木ひろし"), U"cchh");
  EXPECT_EQ(word_shape(U"사랑해"), U"gg");
  EXPECT_EQ(word_shape(U"Москва"), U"Aaa");
  EXPECT_EQ(word_shape(U"é😀"), U"a😀");  // emoji: punctuation class, kept as itself
  EXPECT_EQ(shape_class(U'々'), U'c');
  EXPECT_EQ(shape_class(0x2603), 0x2603);  // ☃: a symbol
  EXPECT_EQ(shape_class(0x0E01), U'o');    // Thai: other
}

TEST(Normalize, FoldWithoutLowercase) {
  EXPECT_EQ(fold_width_and_space(U" ＡＢ\u3000Cd  é "), U"AB Cd é");
}
