#pragma once
// The little Unicode the text features need, with no ICU dependency: lenient
// UTF-8 decoding, a fixed normalisation (fullwidth ASCII, case folding for the
// European scripts, whitespace), Hangul decomposition, separator classes.

#include <string>
#include <string_view>

namespace melclass::text {

/// Lenient UTF-8 -> code points (invalid bytes become U+FFFD, never throws).
/// Each maximal ill-formed subsequence becomes one U+FFFD (Unicode 15, §3.9,
/// "U+FFFD Substitution of Maximal Subparts"); overlong forms, surrogates and
/// values above U+10FFFF are ill-formed.
std::u32string decode_utf8(std::string_view s);
/// Code points -> UTF-8; surrogates and values above U+10FFFF become U+FFFD.
std::string encode_utf8(std::u32string_view s);

/// Normalisation before n-grams: fullwidth ASCII (U+FF01..FF5E) -> ASCII, ideographic
/// space -> space, lowercase for ASCII/Latin-1/Latin Extended-A/Greek/Cyrillic, runs of
/// whitespace collapsed to one U+0020, trimmed. Hangul syllables, kana and kanji kept
/// as they are.
std::u32string normalize(std::u32string_view s);

/// normalize() without lowercasing (fullwidth folding and whitespace only).
std::u32string fold_width_and_space(std::u32string_view s);

/// Character class for word shapes: 'A' uppercase and 'a' lowercase letter
/// (Latin, Greek, Cyrillic), '0' digit, 'h' hiragana, 'k' katakana, 'c' CJK
/// ideograph, 'g' Hangul, ' ' white space, punctuation as itself, 'o' other.
char32_t shape_class(char32_t c);
/// Word shape (after Collins 2002 / spaCy's Token.shape_): each code point as its
/// shape_class, runs of one class cut to 2: "Marvin" -> "Aaa", "UB40" -> "AA00",
/// "ドリーム" -> "kk", "五木ひろし" -> "cchh".
std::u32string word_shape(std::u32string_view s);

/// Hangul syllables (U+AC00..D7A3) -> conjoining jamo L V [T] by the Unicode
/// algorithm (Unicode 15, §3.12); every other code point is kept.
std::u32string decompose_hangul(std::u32string_view s);

/// Lowercase of one code point for ASCII, Latin-1, Latin Extended-A, Greek and
/// Cyrillic (simple case mapping); other code points unchanged.
char32_t to_lower(char32_t c);
/// White space (Unicode White_Space property).
bool is_space(char32_t c);
/// Punctuation and symbols that separate words (ASCII, Latin-1, general and CJK
/// punctuation, arrows, box drawing, dingbats, emoji).
bool is_punct(char32_t c);
/// A precomposed Hangul syllable (U+AC00..D7A3).
inline bool is_hangul_syllable(char32_t c) { return c >= 0xAC00 && c <= 0xD7A3; }

}  // namespace melclass::text
