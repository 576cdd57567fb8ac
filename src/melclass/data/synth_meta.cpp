#include "melclass/data/synth_meta.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace melclass::data::synth {
namespace {

using Words = std::vector<std::string>;

const Words& pick_list(const std::vector<Words>& lists, int i) {
  return lists[static_cast<size_t>(i)];
}
const std::string& pick(const Words& words, Rng& rng) {
  return words[static_cast<size_t>(rng.below(static_cast<int>(words.size())))];
}

// Title words per script: [0] general, [1 + style] flavoured by style
// (ballad/enka, R&B, reggae, rock).
const std::vector<Words>& title_words(Script script) {
  static const std::vector<Words> kKorean = {
      {"사랑", "이별", "바다", "그대", "밤", "비", "꿈", "너", "우리", "오늘", "하늘", "별", "기억",
       "봄", "사람", "편지", "바람", "마음"},
      {"그리움", "눈물", "고향", "술잔", "안개", "첫사랑", "천년의 바다", "거짓말"},
      {"소울", "그루브", "너의 향기", "달빛", "유혹", "새벽"},
      {"섬", "태양", "여름", "파도", "자유", "해변"},
      {"질주", "불꽃", "폭풍", "청춘", "심장", "외침"}};
  static const std::vector<Words> kJapanese = {
      {"夢", "花", "空", "心", "街", "星", "月", "恋", "風", "君", "光", "約束", "未来",
       "さよなら"},
      {"酒", "港", "涙", "雨", "夜", "北国", "故郷", "海峡", "舟唄", "情け", "人生", "宿", "しぐれ",
       "慕情"},
      {"ソウル", "ラブ", "ベイビー", "メロウ", "スウィート", "ナイト", "グルーヴ"},
      {"ラガ", "レゲエ", "アイランド", "サンシャイン", "ダンスホール", "島", "太陽", "ルーツ"},
      {"ロック", "ノイズ", "シグナル", "パンク", "ギター", "ヒーロー", "ロスタルジア", "衝動"}};
  static const std::vector<Words> kLatin = {
      {"Love", "Night", "Dream", "Summer", "Blue", "Rain", "Heart", "Time", "Home", "Light", "Road",
       "Days"},
      {"Tears", "Memory", "Misty", "Alone", "Moon", "Farewell", "Forever", "Where Are You"},
      {"Baby", "Sugar", "Sweet", "Soul", "Smooth", "Velvet", "Touch", "Lady", "Tonight", "Groove"},
      {"Jah", "Roots", "Rainbow", "Dub", "Island", "Zion", "Sunshine", "Riddim", "Freedom", "Irie"},
      {"KILLER", "HOLY", "BLIND", "ELECTRIC", "NOISE", "RIOT", "HIGHWAY", "BURNING", "NEON",
       "REBEL"}};
  return script == Script::kKorean ? kKorean : script == Script::kJapanese ? kJapanese : kLatin;
}

std::string title_word(Script script, int style, Rng& rng) {
  return pick(pick_list(title_words(script), rng.chance(0.65) ? 1 + style : 0), rng);
}

std::string make_title(Script script, int style, Rng& rng) {
  const std::string a = title_word(script, style, rng), b = title_word(script, style, rng);
  const int form = rng.below(4);
  std::string title;
  if (script == Script::kKorean) {
    title = form == 0 ? a : form == 1 ? a + " " + b : form == 2 ? a + "의 " + b : a + ", " + b;
  } else if (script == Script::kJapanese) {
    title = form == 0 ? a : form == 1 ? a + "の" + b : form == 2 ? a + b : a + "・" + b;
  } else {
    title = form == 0 ? a : form == 1 ? a + " " + b : form == 2 ? "The " + a : a + " Of " + b;
    static const Words kSuffixes = {" (Album Version)", " (Live)", " (Remastered)",
                                    " (Single Version)"};
    if (rng.chance(0.12)) title += pick(kSuffixes, rng);
  }
  return title;
}

Script draw_script(Task task, int style, Rng& rng) {
  // Probabilities of Korean, Japanese, Latin names.
  static const double kGenre[kStyles][3] = {
      {0.1, 0.85, 0.05}, {0.1, 0.2, 0.7}, {0.1, 0.4, 0.5}, {0.05, 0.5, 0.45}};
  static const double kKoreanService[3] = {0.6, 0.1, 0.3};
  const double* p = task == Task::kGenre ? kGenre[style] : kKoreanService;
  const double u = rng.uniform();
  return u < p[0] ? Script::kKorean : u < p[0] + p[1] ? Script::kJapanese : Script::kLatin;
}

std::string make_artist_name(Script script, int style, bool group, Rng& rng) {
  if (script == Script::kKorean) {
    static const Words kFamily = {"김", "이", "박", "최", "정", "강",
                                  "조", "윤", "장", "임", "한", "오"};
    static const Words kGiven = {"현철", "규호", "정봉", "민수", "지현", "서연",
                                 "하늘", "태희", "수진", "동률", "승환", "경호"};
    return group ? title_word(script, style, rng) + (rng.chance(0.5) ? " 밴드" : "크루")
                 : pick(kFamily, rng) + pick(kGiven, rng);
  }
  if (script == Script::kJapanese) {
    static const Words kFamily = {"五木", "谷村", "中条", "若山", "堺",   "北島",
                                  "石川", "細川", "坂本", "森",   "八代", "川中"};
    static const Words kGiven = {"ひろし", "新司", "きよし", "かずさ", "正章", "三郎",
                                 "さゆり", "冬美", "亜紀",   "美幸",   "孝",   "進一"};
    return group ? title_word(script, style, rng) + (rng.chance(0.5) ? "四重奏" : "ズ")
                 : pick(kFamily, rng) + pick(kGiven, rng);
  }
  static const Words kFirst = {"Marvin", "Gladys", "Ricky",  "Teena",  "Rick",
                               "Bob",    "Lee",    "Muddy",  "Dennis", "Gregory",
                               "Jimmy",  "Aretha", "Luther", "Willie"};
  static const Words kLast = {"Gaye",     "Knight",   "Fante",  "Marie", "James",
                              "Brown",    "Cliff",    "Isaacs", "Perry", "Hunt",
                              "Franklin", "Vandross", "Nelson", "Waters"};
  if (!group) return pick(kFirst, rng) + " " + pick(kLast, rng);
  if (style == 3)
    return title_word(script, 3, rng) + " " + title_word(script, 3, rng);  // RUDE BONES
  static const Words kBands = {"Wailers", "Upsetters", "Dreads", "Flames", "Drifters", "Roots"};
  return rng.chance(0.5) ? pick(kFirst, rng) + " & The " + pick(kBands, rng)
                         : "The " + pick(kBands, rng);
}

std::string date_text(int year, Rng& rng, bool compact) {
  char buf[48];
  std::snprintf(buf, sizeof buf, compact ? "%04d%02d%02d" : "%04d-%02d-%02d", year,
                1 + rng.below(12), 1 + rng.below(28));
  return buf;
}

Artist make_artist(Task task, int index, int style, Rng& rng) {
  static const int kFirstYear[kStyles] = {1970, 1965, 1972, 1988};
  Artist a;
  a.index = index;
  a.style = style;
  a.script = draw_script(task, style, rng);
  const bool group = rng.chance(style == 3 ? 0.7 : style == 2 ? 0.4 : 0.25);
  a.name = make_artist_name(a.script, style, group, rng);
  a.type = group ? "그룹" : "솔로";
  a.gender = group             ? (rng.chance(0.7) ? "남성" : "혼성")
             : rng.chance(0.5) ? "남성"
             : rng.chance(0.9) ? "여성"
                               : "불명";
  static const Words kLatinCountries = {"미국", "영국", "자메이카", "기타"};
  a.country = a.script == Script::kKorean     ? "한국"
              : a.script == Script::kJapanese ? "일본"
              : style == 2 && rng.chance(0.6) ? "자메이카"
                                              : pick(kLatinCountries, rng);
  a.oversea = a.country != "한국";
  const int year = kFirstYear[style] + rng.below(2018 - kFirstYear[style]);
  const double u = rng.uniform();
  a.debut = u < 0.1 ? nlohmann::json(nullptr) : nlohmann::json(date_text(year, rng, u > 0.8));
  return a;
}

Album make_album(int index, int artist_pos, const Artist& artist, Rng& rng) {
  static const Words kProduction = {"(주)뮤직앤뉴",         "(주)오감엔터테인먼트", "Sony Music",
                                    "Victor Entertainment", "Universal Music",      "King Records",
                                    "Pony Canyon",          "Island Records",       "VP Records"};
  static const Words kAgency = {"(주) 도레미 미디어", "(주) 웰메이드 예당", "Avex", "Motown", "-"};
  Album b;
  b.index = index;
  b.artist = artist_pos;
  const double u = rng.uniform();
  if (u < 0.5) {
    b.title = make_title(artist.script, artist.style, rng);
  } else if (u < 0.7) {
    b.title = artist.name + (artist.script == Script::kJapanese ? " ベスト"
                             : artist.script == Script::kKorean ? " 베스트"
                                                                : " Greatest Hits");
  } else if (u < 0.85) {
    b.title = artist.script == Script::kJapanese ? artist.name + "全曲集"
              : artist.script == Script::kKorean ? "정규 " + std::to_string(1 + rng.below(9)) + "집"
                                                 : "Vol. " + std::to_string(1 + rng.below(9));
  } else {
    b.title = make_title(artist.script, artist.style, rng) +
              (rng.chance(0.5) ? " -Single" : " (Deluxe Edition)");
  }
  b.live = rng.chance(0.05);
  if (b.live) b.title += " (Live)";
  b.production = pick(kProduction, rng);
  b.agency = rng.chance(0.4) ? "-" : pick(kAgency, rng);
  b.release = date_text(1975 + rng.below(46), rng, false);
  return b;
}

// Melon-style genre column for station and mood tracks, by style.
std::string service_genre(int style, Rng& rng) {
  static const std::vector<Words> kGenres = {
      {"발라드", "발라드", "트로트", "성인가요", "포크/블루스"},
      {"R&B/Soul", "R&B/Soul", "랩/힙합", "댄스", "발라드"},
      {"인디음악", "포크/블루스", "월드뮤직", "일렉트로니카", "R&B/Soul"},
      {"록/메탈", "록/메탈", "인디음악", "댄스", "일렉트로니카"}};
  return pick(kGenres[static_cast<size_t>(rng.chance(0.8) ? style : rng.below(kStyles))], rng);
}

// Tag profiles over plan_features: tempo, mode, loudness, brightness,
// percussion; '+' raises, '-' lowers the tag's chance, '0' is neutral.
struct TagProfile {
  const char* name;
  const char* profile;
};

const std::vector<TagProfile>& tag_profiles() {
  static const std::vector<TagProfile> kTags = {
      {"Harsh", "0-++0"},         {"Bitter", "0-0-0"},       {"Soothing", "-+---"},
      {"Joyous", "++0+0"},        {"Exciting", "+0+0+"},     {"Cheerful", "++0+0"},
      {"Bleak", "--0-0"},         {"Sad", "--0--"},          {"Greasy", "00-0+"},
      {"Calm", "-0---"},          {"Peaceful", "-+---"},     {"Hostile", "+-++0"},
      {"Gloomy", "--0-0"},        {"Happy", "++000"},        {"Angry", "+-+0+"},
      {"Reckless", "+0++0"},      {"Hypnotic", "000-+"},     {"Gentle", "-+-00"},
      {"Light", "++-+0"},         {"Fierce", "+0+++"},       {"Fun", "++00+"},
      {"Atmospheric", "-00--"},   {"Volatile", "+-+0+"},     {"Uncompromising", "0-+++"},
      {"Sensual", "00--+"},       {"Outrageous", "+0++0"},   {"Intimate", "-0--0"},
      {"Laid-Back", "-+0-0"},     {"Mellow", "-0--0"},       {"Eccentric", "0-0++"},
      {"Detached", "0-0--"},      {"Innocent", "0+-+0"},     {"Dreamy", "-0-0-"},
      {"Jittery", "+-00+"},       {"Nervous", "+-0+0"},      {"Smooth", "0+-00"},
      {"Fiery", "+0++0"},         {"Menacing", "0-+-0"},     {"Delicate", "-0-+-"},
      {"Ethereal", "-0-+-"},      {"Complex", "0-00+"},      {"Reserved", "-0-00"},
      {"Sparkling", "++0+0"},     {"Nostalgic", "-0-00"},    {"Cerebral", "0-0-0"},
      {"Amiable", "0+-00"},       {"Good-Natured", "0+000"}, {"Lively", "+000+"},
      {"Sexy", "000-+"},          {"Messy", "0-+0+"},        {"Quiet", "-0-0-"},
      {"Soft", "-0-0-"},          {"Negative", "0-000"},     {"Poignant", "--0-0"},
      {"Melancholy", "--0--"},    {"Relaxed", "-+-00"},      {"Spicy", "00+0+"},
      {"Weary", "--0--"},         {"Ominous", "--+-0"},      {"Humorous", "++00+"},
      {"Sophisticated", "0+-00"}, {"Anguished", "0-+00"},    {"Distraught", "0-+-0"},
      {"Refined", "0+-+0"},       {"Spiritual", "-0-0-"},    {"Anxious", "+-000"},
      {"Tense", "+-+00"},         {"Organic", "0+00-"},      {"Restrained", "-0-0-"},
      {"Malevolent", "0-+-+"},    {"Sexual", "00-0+"},       {"Elegant", "0+-+-"},
      {"Snide", "0-00+"},         {"Reverent", "-+-0-"},     {"Carefree", "++-00"},
      {"Somber", "--0--"},        {"Lush", "-+0+-"},         {"Playful", "++0+0"},
      {"Sweet", "0+-+0"},         {"Positive", "0+000"},     {"Earthy", "0+0-0"},
      {"Intense", "+0+0+"},       {"Precious", "0+-+-"},     {"Outraged", "+-+0+"},
      {"Brooding", "--0-0"},      {"Nocturnal", "0-0-0"},    {"Cynical", "0-0+0"},
      {"Rousing", "+++00"},       {"Romantic", "-+-00"},     {"Rebellious", "+0++0"},
      {"Eerie", "--0+-"},         {"Summery", "++0+0"},      {"Confident", "0++00"},
      {"Lazy", "-00--"},          {"Bright", "0+0+0"},       {"Energetic", "+0+0+"},
      {"Elaborate", "000+0"},     {"Passionate", "0++00"},   {"Theatrical", "0++0-"},
      {"Cathartic", "0-+00"}};
  return kTags;
}

// Ranks all tags by profile match plus noise; the first 1-5 are the track's.
void draw_tags(const TrackPlan& plan, Rng& rng, TrackMeta& meta) {
  const auto f = plan_features(plan);
  const auto& tags = tag_profiles();
  std::vector<double> score(tags.size());
  for (size_t j = 0; j < tags.size(); ++j) {
    double dot = 0, nonzero = 0;
    for (size_t k = 0; k < f.size(); ++k) {
      const char c = tags[j].profile[k];
      const double w = c == '+' ? 1.0 : c == '-' ? -1.0 : 0.0;
      dot += w * f[k], nonzero += w * w;
    }
    score[j] = dot / std::sqrt(std::max(nonzero, 1.0)) + rng.normal(0.0, 0.7);
  }
  std::vector<size_t> order(tags.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return score[a] > score[b]; });
  static const double kCumulative[5] = {0.2, 0.45, 0.7, 0.85, 1.0};  // 1..5 tags
  const double u = rng.uniform();
  const int count = 1 + static_cast<int>(std::count_if(kCumulative, kCumulative + 5,
                                                       [&](double c) { return u >= c; }));
  for (size_t j = 0; j < order.size() && j < 15; ++j)
    (static_cast<int>(j) < count ? meta.tags : meta.spare_tags).push_back(tags[order[j]].name);
}

}  // namespace

Catalogue make_catalogue(Task task, int tracks, Rng& rng) {
  Catalogue c;
  const int n_artists = std::max(2 * kStyles, tracks / 5);
  for (int i = 0; i < n_artists; ++i) {
    Artist a = make_artist(task, i + 1, i % kStyles, rng);
    const int n_albums = 1 + rng.below(3);
    for (int k = 0; k < n_albums; ++k) {
      a.albums.push_back(static_cast<int>(c.albums.size()));
      c.albums.push_back(make_album(static_cast<int>(c.albums.size()) + 1, i, a, rng));
    }
    c.artists_by_style[static_cast<size_t>(a.style)].push_back(i);
    c.artists.push_back(std::move(a));
  }
  return c;
}

TrackMeta draw_track_meta(Task task, const TrackPlan& plan, const Catalogue& c, Rng& rng) {
  TrackMeta m;
  // Mostly an artist of the track's style; sometimes anyone (covers, crossovers).
  const auto& own = c.artists_by_style[static_cast<size_t>(plan.style)];
  const int artist = rng.chance(0.8)
                         ? own[static_cast<size_t>(rng.below(static_cast<int>(own.size())))]
                         : rng.below(static_cast<int>(c.artists.size()));
  m.artists.push_back(artist);
  if (rng.chance(0.08))
    m.artists.push_back(rng.below(static_cast<int>(c.artists.size())));  // feat.
  const Artist& a = c.artists[static_cast<size_t>(artist)];
  m.album = a.albums[static_cast<size_t>(rng.below(static_cast<int>(a.albums.size())))];
  const Script script = rng.chance(0.8) ? a.script : static_cast<Script>(rng.below(3));
  m.title = make_title(script, rng.chance(0.75) ? plan.style : rng.below(kStyles), rng);
  if (task == Task::kGenre) {
    static const Words kCoarse = {"가요", "J-POP", "POP"};
    m.genre = rng.chance(0.8) ? kCoarse[static_cast<size_t>(a.script)] : pick(kCoarse, rng);
  } else {
    m.genre = service_genre(plan.style, rng);
  }
  m.play_time = 1591300000000LL + static_cast<int64_t>(rng.below(30 * 86400)) * 1000;
  const double u = rng.uniform();
  m.has_lyric = u < 0.05 ? nlohmann::json(nullptr) : nlohmann::json(u < 0.8 ? 1.0 : 0.0);
  m.has_tag = task == Task::kMood || rng.chance(0.7);
  if (task == Task::kMood) draw_tags(plan, rng, m);
  return m;
}

std::string style_label(Task task, int style) {
  static const char* kStations[kStyles] = {"Q1", "Q2", "Q3", "Q4"};
  static const char* kGenres[kStyles] = {"가요곡/엔카", "R&B", "레게", "J-ROCK"};
  return task == Task::kGenre ? kGenres[style] : kStations[style];
}

const std::vector<std::string>& mood_tags() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const auto& t : tag_profiles()) names.push_back(t.name);
    return names;
  }();
  return kNames;
}

}  // namespace melclass::data::synth
