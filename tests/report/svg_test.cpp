// report::line_chart, confusion_heatmap, bar_chart and escape.

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "core/testing.h"
#include "melclass/report/svg.h"
#include "melclass/text/unicode.h"

using namespace melclass::report;

namespace {
size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

TEST(Svg, LineChartBreaksAtGapsAndEscapesNames) {
  const std::string svg = line_chart(
      {{"train <loss>", {1, 2, 3, 4, 5}, {1.0, 0.8, kNaN, 0.5, 0.4}}}, epoch_chart("loss", "loss"));
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_EQ(count(svg, "<polyline"), 2u);  // the NaN epoch splits the line
  EXPECT_NE(svg.find("train &lt;loss&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("<loss>"), std::string::npos);
}

TEST(Svg, EmptyWhenNothingToDraw) {
  EXPECT_EQ(line_chart({{"val", {1, 2}, {kNaN, kNaN}}}, epoch_chart("metric", "f1")), "");
  EXPECT_EQ(line_chart({}, epoch_chart("metric", "f1")), "");
  EXPECT_EQ(line_chart({{"lr", {1, 2}, {0.0, -1.0}}}, epoch_chart("lr", "lr", true)),
            "");  // no positive value
}

TEST(Svg, LogAxisTicksAtPowersOfTen) {
  const std::string svg =
      line_chart({{"lr", {1, 2, 3}, {2e-3, 1e-4, 1e-6}}}, epoch_chart("learning rate", "lr", true));
  for (const char* tick : {">0.001<", ">0.0001<", ">1e-05<", ">1e-06<"})
    EXPECT_NE(svg.find(tick), std::string::npos) << tick;
}

TEST(Svg, LinearTicksAreRoundNumbers) {
  const std::string svg =
      line_chart({{"loss", {1, 80}, {0.75, 1.37}}}, epoch_chart("loss", "loss"));
  for (const char* tick : {">20<", ">40<", ">60<", ">80<", ">0.8<", ">1.2<"})
    EXPECT_NE(svg.find(tick), std::string::npos) << tick;
}

TEST(Svg, MismatchedSeriesIsAnError) {
  EXPECT_MELCLASS_ERROR(line_chart({{"bad", {1, 2}, {1}}}, epoch_chart("x", "y")), "report",
                        "unequal");
}

TEST(Svg, HeatmapShowsCountsAndLabels) {
  const std::string svg = confusion_heatmap({{5, 1}, {0, 7}}, {"Q1", "R&B"});
  for (const char* part : {">5<", ">1<", ">0<", ">7<", ">Q1<", ">R&amp;B<"})
    EXPECT_NE(svg.find(part), std::string::npos) << part;
  EXPECT_MELCLASS_ERROR(confusion_heatmap({{1}}, {"a", "b"}), "report");
  // Labels are cut by characters, never inside a multi-byte UTF-8 sequence:
  // rows keep 24 characters, columns 6.
  const std::string kana = confusion_heatmap({{1, 0}, {0, 1}}, {"Jポップ", "가요곡/엔카/트로트"});
  EXPECT_EQ(count(kana, ">Jポップ<"), 2u);      // 4 characters (10 bytes): row and column
  EXPECT_EQ(count(kana, ">가요곡/엔카<"), 1u);  // the column's first 6 characters
  EXPECT_EQ(melclass::text::decode_utf8(kana).find(U'\uFFFD'), std::u32string::npos);
  EXPECT_EQ(
      count(bar_chart({std::string(30, 'x') + "é"}, {0.5}, "t"), ">" + std::string(24, 'x') + "<"),
      1u);
}

TEST(Svg, BarsAndNumbers) {
  const std::string svg = bar_chart({"fold 1", "fold 2"}, {0.5, 0.75}, "accuracy");
  EXPECT_NE(svg.find(">0.5<"), std::string::npos);
  EXPECT_NE(svg.find(">0.75<"), std::string::npos);
  EXPECT_EQ(format_number(0.688235), "0.6882");
  EXPECT_EQ(format_number(kNaN), "&#8211;");
  EXPECT_EQ(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
}
