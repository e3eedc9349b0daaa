// Makes bytes from the peer safe to show: U+FFFD for ill-formed UTF-8 (decoded by utf8.hpp), and
// visible escapes for everything that could drive the terminal (C0/C1 controls, DEL, bidi controls)
// or that terminals draw at different widths (invisible format characters, separators, noncharacters).
#pragma once

#include <string>
#include <string_view>

namespace echochat {

// True for the code points sanitize() replaces by a visible escape rather than showing:
// C0 controls (TAB included), DEL, C1 controls, the bidi controls (U+061C, U+200E, U+200F,
// U+202A..U+202E, U+2066..U+2069), the other format characters (Unicode's Cf: U+00AD, U+200B,
// U+200C, U+2060, U+FEFF, the tag characters U+E0000..U+E007F, ...) but ZWJ, the line and
// paragraph separators U+2028 and U+2029, and the noncharacters (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF).
bool is_escaped_code_point(char32_t c);

// The peer's bytes as text that is safe to write to the terminal:
// - valid UTF-8 passes unchanged (accents, CJK, emoji, ZWJ sequences);
// - each maximal ill-formed subpart becomes one U+FFFD;
// - TAB becomes one space (a tab stop would make the width of the text depend on where it is
//   drawn, and the transcript wraps text itself);
// - other C0 controls become caret escapes (0x1B -> "^[", 0x00 -> "^@"), DEL becomes "^?";
// - C1 controls (U+0080..U+009F) become "\x80".."\x9f" (4 visible characters);
// - bidi controls become "<U+202E>" (they would reorder the text around them), and so do the
//   other escaped code points ("<U+2028>", "<U+FEFF>", "<U+E0041>");
// - ZWJ (U+200D) passes: it joins an emoji family, and alone every terminal draws it as nothing;
// - tag characters pass only inside an emoji tag sequence (a subdivision flag: U+1F3F4, tags,
//   U+E007F), which is one picture.
std::string sanitize(std::string_view bytes);

// True when sanitize(bytes) == bytes: valid UTF-8 without anything sanitize() escapes.
bool is_safe_text(std::string_view bytes);

}  // namespace echochat
