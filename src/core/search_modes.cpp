// The search sub-modes: Ctrl-R over the lines sent, and the find prompt over the transcript.
#include "echochat/core/search_modes.hpp"

#include "echochat/core/session.hpp"
#include "echochat/core/utf8.hpp"

namespace echochat {

namespace {

bool is_ctrl(const key& k, char32_t c) {
  return k.code == key_code::ctrl && k.mods == key_mod::none && k.ch == c;
}
bool is_plain(const key& k, key_code c) { return k.code == c && k.mods == key_mod::none; }

std::string typed_text(const key& k) {
  std::string utf8;
  append_utf8(utf8, k.ch);
  return clean_text(utf8);
}

}  // namespace

std::string clean_text(std::string_view text) {
  line_editor clean(0);
  clean.insert(text.substr(0, text.find_first_of("\r\n")));
  return clean.take_text();
}

reverse_search_mode::reverse_search_mode(line_editor& editor, std::string& last_query)
    : editor_(editor), last_query_(last_query), search_(editor.history(), last_query) {}

void reverse_search_mode::on_key(const key& k, session_state& s, std::time_t now) {
  if (is_printable(k)) return search_.type(typed_text(k));
  if (is_ctrl(k, U'r')) return search_.older();
  if (is_plain(k, key_code::backspace)) return search_.widen();
  if (is_ctrl(k, U'g')) return end(s);  // cancelled: the draft is still in the editor, as it was
  // Any other key takes the match into the input line; Esc does only that, the others then do
  // what they do there (Enter sends it, as in bash; a movement key moves in it).
  accept(s);
  if (!is_plain(k, key_code::escape)) s.modes.top().on_key(k, s, now);
}

void reverse_search_mode::on_paste(std::string_view text, session_state&, std::time_t) {
  search_.type(clean_text(text));
}

void reverse_search_mode::present(const session_state&, presentation& p) const {
  input_prompt prompt;
  prompt.text = search_.prompt(prompt.cursor);
  p.prompt = std::move(prompt);
}

void reverse_search_mode::accept(session_state& s) {
  if (auto line = search_.match_text()) editor_.set_text(std::move(*line), search_.match_offset());
  end(s);
}

void reverse_search_mode::end(session_state& s) {
  if (!search_.query().empty()) last_query_ = search_.query();
  s.modes.pop();  // this lives on until the event is done
}

find_mode::find_mode(const std::string& text, session_state& s) : find_(text, s.entries) {
  text_.insert(text);
  show_match(s);
}

void find_mode::on_key(const key& k, session_state& s, std::time_t) {
  find_.update(s.entries);
  if (is_plain(k, key_code::up) || is_ctrl(k, U'r')) {
    if (find_.older()) show_match(s);
    return;
  }
  if (is_plain(k, key_code::down) || is_ctrl(k, U's')) {
    if (find_.newer()) show_match(s);
    return;
  }
  if (is_plain(k, key_code::escape) || is_ctrl(k, U'g')) {
    // Back to the live end, and to the draft, which the find never touched.
    s.view.to_live();
    return s.modes.pop();
  }
  if (is_plain(k, key_code::enter)) return s.modes.pop();  // the view stays at the match
  const std::string before = text_.text();
  if (text_.handle(k) && text_.text() != before) {
    find_.set_query(text_.text(), s.entries);
    show_match(s);
  }
}

void find_mode::on_paste(std::string_view text, session_state& s, std::time_t) {
  text_.insert(clean_text(text));
  find_.set_query(text_.text(), s.entries);
  show_match(s);
}

void find_mode::present(const session_state& s, presentation& p) const {
  find_.update(s.entries);
  const auto at = find_.position();
  p.status.push_back(
      {at ? "match " + std::to_string(*at) + " of " + std::to_string(find_.count()) : std::string{"no match"},
       9});
  constexpr std::string_view label = "find: ";
  p.prompt = input_prompt{std::string{label} + text_.text(), label.size() + text_.cursor()};
  if (const entry* e = find_.current(s.entries)) p.highlight = {e, find_.occurrences(*e)};
}

void find_mode::show_match(session_state& s) const {
  if (const auto i = find_.current_index(s.entries)) {
    s.view.scroll_to(scroll_to_show(s.entries, *i, s.view.cols(), s.view.transcript_rows()));
  }
}

}  // namespace echochat
