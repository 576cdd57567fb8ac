#include "melclass/text/unicode.h"

namespace melclass::text {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Hangul composition constants (Unicode 15, §3.12, "Conjoining Jamo Behavior").
constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr char32_t kVCount = 21, kTCount = 28, kNCount = kVCount * kTCount;

bool in(char32_t c, char32_t lo, char32_t hi) { return c >= lo && c <= hi; }

// Lead byte -> number of continuation bytes and the allowed range of the first
// one (Unicode 15, Table 3-7 "Well-Formed UTF-8 Byte Sequences"); 0 = invalid lead.
int lead_info(unsigned char b, unsigned char& lo, unsigned char& hi) {
  lo = 0x80;
  hi = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) return 1;
  if (b >= 0xE0 && b <= 0xEF) {
    if (b == 0xE0) lo = 0xA0;  // no overlongs
    if (b == 0xED) hi = 0x9F;  // no surrogates
    return 2;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    if (b == 0xF0) lo = 0x90;  // no overlongs
    if (b == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    return 3;
  }
  return 0;
}

// Latin Extended-A (U+0100..017F): upper/lower pairs alternate, with the parity
// flipping at U+0139..0148 and U+0179..017E, plus a few singletons.
char32_t lower_latin_ext_a(char32_t c) {
  if (c == 0x0130) return U'i';  // LATIN CAPITAL LETTER I WITH DOT ABOVE
  if (c == 0x0178) return 0x00FF;
  if (c == 0x0131 || c == 0x0138 || c == 0x0149 || c == 0x017F) return c;
  const bool odd_upper = in(c, 0x0139, 0x0148) || in(c, 0x0179, 0x017E);
  if (odd_upper) return (c % 2 == 1) ? c + 1 : c;
  return (c % 2 == 0) ? c + 1 : c;
}

char32_t lower_greek(char32_t c) {
  if (in(c, 0x0391, 0x03A9) && c != 0x03A2) return c + 0x20;
  if (c == 0x0386) return 0x03AC;
  if (in(c, 0x0388, 0x038A)) return c + 0x25;
  if (c == 0x038C) return 0x03CC;
  if (in(c, 0x038E, 0x038F)) return c + 0x3F;
  return c;
}

char32_t lower_cyrillic(char32_t c) {
  if (in(c, 0x0410, 0x042F)) return c + 0x20;
  if (in(c, 0x0400, 0x040F)) return c + 0x50;
  if (c == 0x04C0) return 0x04CF;
  const bool even_upper = in(c, 0x0460, 0x0481) || in(c, 0x048A, 0x04BF) || in(c, 0x04D0, 0x04FF);
  if (even_upper) return (c % 2 == 0) ? c + 1 : c;
  if (in(c, 0x04C1, 0x04CE)) return (c % 2 == 1) ? c + 1 : c;
  return c;
}

}  // namespace

std::u32string decode_utf8(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const auto b = static_cast<unsigned char>(s[i++]);
    if (b < 0x80) {
      out.push_back(b);
      continue;
    }
    unsigned char lo = 0, hi = 0;
    const int need = lead_info(b, lo, hi);
    char32_t cp = b & (0x3F >> need);  // payload bits of the lead byte
    bool ok = need > 0;
    for (int k = 0; ok && k < need; ++k) {
      const auto c = i < n ? static_cast<unsigned char>(s[i]) : 0;
      if (i >= n || c < lo || c > hi) {
        ok = false;  // the maximal subpart ends before this byte; it is read again
        break;
      }
      cp = (cp << 6) | (c & 0x3F);
      ++i;
      lo = 0x80;
      hi = 0xBF;
    }
    out.push_back(ok ? cp : kReplacement);
  }
  return out;
}

std::string encode_utf8(std::u32string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) {
    if (c > 0x10FFFF || in(c, 0xD800, 0xDFFF)) c = kReplacement;
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

char32_t to_lower(char32_t c) {
  if (c < 0x80) return in(c, U'A', U'Z') ? c + 0x20 : c;
  if (c < 0x100) return (in(c, 0xC0, 0xDE) && c != 0xD7) ? c + 0x20 : c;
  if (c < 0x180) return lower_latin_ext_a(c);
  if (in(c, 0x0370, 0x03FF)) return lower_greek(c);
  if (in(c, 0x0400, 0x04FF)) return lower_cyrillic(c);
  return c;
}

bool is_space(char32_t c) {
  return in(c, 0x09, 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         in(c, 0x2000, 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

bool is_punct(char32_t c) {
  if (c < 0x80) {
    return in(c, 0x21, 0x2F) || in(c, 0x3A, 0x40) || in(c, 0x5B, 0x60) || in(c, 0x7B, 0x7E);
  }
  return in(c, 0xA1, 0xBF) || c == 0xD7 || c == 0xF7 ||     // Latin-1 punctuation, × ÷
         in(c, 0x2010, 0x2027) || in(c, 0x2030, 0x205E) ||  // general punctuation
         in(c, 0x2190, 0x23FF) || in(c, 0x2500, 0x27BF) ||  // arrows, technical, shapes
         in(c, 0x3001, 0x3003) || in(c, 0x3008, 0x3020) || c == 0x3030 || c == 0x303D ||
         c == 0x30FB ||                                     // CJK punctuation, katakana dot
         in(c, 0xFE30, 0xFE6B) || in(c, 0xFF5F, 0xFF65) ||  // CJK compatibility, halfwidth
         in(c, 0x1F000, 0x1FAFF);                           // emoji and pictographs
}

namespace {

std::u32string fold(std::u32string_view s, bool lower) {
  std::u32string out;
  out.reserve(s.size());
  bool pending_space = false;
  for (char32_t c : s) {
    if (in(c, 0xFF01, 0xFF5E)) c -= 0xFEE0;  // fullwidth ASCII
    if (is_space(c)) {
      pending_space = !out.empty();  // leading space dropped, runs collapsed
      continue;
    }
    if (pending_space) out.push_back(U' ');
    pending_space = false;
    out.push_back(lower ? to_lower(c) : c);
  }
  return out;  // a trailing run never gets written
}

bool is_cased_script(char32_t c) {  // the scripts to_lower knows
  return in(c, U'a', U'z') || (in(c, 0xC0, 0x24F) && c != 0xD7 && c != 0xF7) ||
         in(c, 0x0386, 0x03FF) || in(c, 0x0400, 0x04FF);
}

}  // namespace

std::u32string normalize(std::u32string_view s) { return fold(s, true); }

std::u32string fold_width_and_space(std::u32string_view s) { return fold(s, false); }

char32_t shape_class(char32_t c) {
  if (in(c, 0xFF01, 0xFF5E)) c -= 0xFEE0;
  if (is_space(c)) return U' ';
  if (in(c, U'0', U'9')) return U'0';
  if (to_lower(c) != c) return U'A';
  if (is_cased_script(c)) return U'a';
  if (in(c, 0x3041, 0x309F)) return U'h';
  if ((in(c, 0x30A0, 0x30FF) && c != 0x30FB) || in(c, 0x31F0, 0x31FF) || in(c, 0xFF66, 0xFF9F))
    return U'k';
  if (in(c, 0x4E00, 0x9FFF) || in(c, 0x3400, 0x4DBF) || in(c, 0xF900, 0xFAFF) ||
      in(c, 0x20000, 0x3134F) || c == 0x3005)
    return U'c';
  if (is_hangul_syllable(c) || in(c, 0x1100, 0x11FF) || in(c, 0x3130, 0x318F)) return U'g';
  if (is_punct(c)) return c;
  return U'o';
}

std::u32string word_shape(std::u32string_view s) {
  std::u32string out;
  size_t run = 0;
  for (char32_t c : s) {
    const char32_t k = shape_class(c);
    run = (!out.empty() && out.back() == k) ? run + 1 : 1;
    if (run <= 2) out.push_back(k);
  }
  return out;
}

std::u32string decompose_hangul(std::u32string_view s) {
  std::u32string out;
  out.reserve(s.size() * 3);
  for (char32_t c : s) {
    if (!is_hangul_syllable(c)) {
      out.push_back(c);
      continue;
    }
    const char32_t index = c - kSBase;
    out.push_back(kLBase + index / kNCount);
    out.push_back(kVBase + (index % kNCount) / kTCount);
    if (index % kTCount != 0) out.push_back(kTBase + index % kTCount);
  }
  return out;
}

}  // namespace melclass::text
