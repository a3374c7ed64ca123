// The command line's parser (cli/args.h, CLI11 underneath), its "did you mean"
// (cli/suggest.h) and the generated option lists of --help (cli/option_help.h).
#include <gtest/gtest.h>

#include "cli/args.h"
#include "cli/option_help.h"
#include "cli/suggest.h"

namespace toonbox::cli {
namespace {

const std::vector<ArgSpec>& spec() {
  static const std::vector<ArgSpec> s = {kInputAlias,
                                         {"--output", true, "-o"},
                                         {"--device", true},
                                         {"--tile", true},
                                         {"--range", true},
                                         {"--json", false},
                                         {"--quiet", false, "-q"},
                                         {"--verbose", false, "-v"},
                                         {"--help", false, "-h"}};
  return s;
}

ParsedArgs parse_ok(const std::vector<std::string>& argv) {
  auto r = parse_args(argv, spec());
  EXPECT_TRUE(r.is_ok()) << r.status().message();
  return r.is_ok() ? r.value() : ParsedArgs{};
}

std::string parse_error(const std::vector<std::string>& argv) {
  auto r = parse_args(argv, spec());
  EXPECT_FALSE(r.is_ok());
  if (r.is_ok()) return "";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

using Strings = std::vector<std::string>;

TEST(ParseArgs, LongShortAndInlineValues) {
  const ParsedArgs a = parse_ok({"in.jpg", "-o", "out.png", "--device=cuda:0", "--tile", "256", "--json"});
  EXPECT_EQ(a.positional, Strings{"in.jpg"});
  EXPECT_EQ(a.get("--output"), "out.png");
  EXPECT_EQ(a.get("--device"), "cuda:0");
  EXPECT_EQ(a.get("--tile"), "256");
  EXPECT_TRUE(a.has("--json"));
  EXPECT_FALSE(a.has("--quiet"));
  EXPECT_EQ(a.get("--range", "fallback"), "fallback");
  EXPECT_EQ(parse_ok({"-oout.png"}).get("--output"), "out.png");
  EXPECT_EQ(parse_ok({"--output=a=b.png"}).get("--output"), "a=b.png");
}

TEST(ParseArgs, ValuesMayStartWithADash) {
  const ParsedArgs a = parse_ok({"-", "-o", "-", "--tile", "-1", "--range", "-1,1"});
  EXPECT_EQ(a.positional, Strings{"-"});
  EXPECT_EQ(a.get("--output"), "-");
  EXPECT_EQ(a.get("--tile"), "-1");
  EXPECT_EQ(a.get("--range"), "-1,1");
  EXPECT_EQ(parse_ok({"--tile=-1"}).get("--tile"), "-1");
}

TEST(ParseArgs, ShortFlagsBundleAndTheLastValueWins) {
  const ParsedArgs a = parse_ok({"-qv", "--device", "cpu", "--device", "cuda"});
  EXPECT_TRUE(a.has("--quiet"));
  EXPECT_TRUE(a.has("--verbose"));
  EXPECT_EQ(a.get("--device"), "cuda");
  EXPECT_TRUE(parse_ok({"-h"}).has("--help"));
}

TEST(ParseArgs, InputAliasesInterleaveWithPositionalsInOrder) {
  const ParsedArgs a = parse_ok({"-i", "a.jpg", "b.jpg", "--input", "c.jpg", "-o", "out", "--input=d.jpg", "e.jpg"});
  EXPECT_EQ(a.positional, (Strings{"a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg"}));
  EXPECT_FALSE(a.has("--input"));  // a positional under another name, not an option
}

TEST(ParseArgs, DoubleDashEndsOptions) {
  const ParsedArgs a = parse_ok({"-o", "out", "--", "-x.jpg", "--json", "--"});
  EXPECT_EQ(a.positional, (Strings{"-x.jpg", "--json", "--"}));
  EXPECT_FALSE(a.has("--json"));
}

TEST(ParseArgs, UnknownOptionsAreRefusedWithASuggestion) {
  EXPECT_EQ(parse_error({"in.jpg", "-o", "out.png", "--devcie", "cpu"}),
            "unknown option '--devcie' (did you mean --device?) (see --help)");
  EXPECT_EQ(parse_error({"--outptu=x.png"}), "unknown option '--outptu' (did you mean --output?) (see --help)");
  EXPECT_EQ(parse_error({"--jsn"}), "unknown option '--jsn' (did you mean --json?) (see --help)");
  // Nothing close: no suggestion, still refused.
  EXPECT_EQ(parse_error({"--frobnicate"}), "unknown option '--frobnicate' (see --help)");
  EXPECT_EQ(parse_error({"-x"}), "unknown option '-x' (see --help)");
  EXPECT_EQ(parse_error({"-qz"}), "unknown option '-z' (see --help)");
}

TEST(ParseArgs, MissingValuesAndFlagValuesAreRefused) {
  EXPECT_EQ(parse_error({"-o", "out.png", "-i"}), "option --input needs a value");
  EXPECT_EQ(parse_error({"--device"}), "option --device needs a value");
  EXPECT_EQ(parse_error({"--json=1"}), "option --json takes no value");
  EXPECT_EQ(parse_error({"--quiet=yes"}), "option --quiet takes no value");
}

TEST(ParseArgs, AWrongTableIsAnErrorNotACrash) {
  auto r = parse_args({"--json"}, {{"--json", false}, {"--json", true}});
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_NE(r.status().message().find("option table is wrong"), std::string::npos) << r.status().message();
}

TEST(DidYouMean, TyposAreMatchedAndStrangersAreNot) {
  const Strings commands = {"cartoonize", "restore", "run", "upscale", "models", "inpaint"};
  EXPECT_EQ(closest_match("cartonize", commands), "cartoonize");
  EXPECT_EQ(closest_match("upsacle", commands), "upscale");  // a swap is one edit
  EXPECT_EQ(closest_match("modles", commands), "models");
  EXPECT_EQ(closest_match("rn", commands), "");  // half the word would change
  EXPECT_EQ(closest_match("photoshop", commands), "");
  EXPECT_EQ(closest_match("", commands), "");
  EXPECT_EQ(did_you_mean("inpiant", commands), " (did you mean inpaint?)");
  EXPECT_EQ(did_you_mean("zzz", commands), "");
  EXPECT_EQ(closest_match(std::string(1000, 'a'), commands), "");  // long words are not compared
}

TEST(OptionHelp, GeneratedFromTheTable) {
  const std::vector<ArgSpec> table = {
      kInputAlias,
      {"--output", true, "-o", false, "PATH", "output image"},
      {"--range", true, "", false, "LO,HI", "output value range\n(default: from the output op)"},
      {"--a-very-long-option-name", true, "", false, "VALUE", "text below"},
      {"--overwrite", false, "", false, "", "replace OUTPUT"},
      {"--help", false, "-h"}};
  EXPECT_EQ(option_list(table),
            "  -i,--input PATH        INPUT by name (as realesrgan-ncnn-vulkan takes it); may be repeated\n"
            "  -o,--output PATH       output image\n"
            "  --range LO,HI          output value range\n"
            "                         (default: from the output op)\n"
            "  --a-very-long-option-name VALUE\n"
            "                         text below\n"
            "  --overwrite            replace OUTPUT\n");
}

// An option without a help text is left out of the list: tests/cli/habits_test.sh checks
// that every command's --help lists every option of its table, so such an option fails
// there instead of going undocumented.
TEST(OptionHelp, AnOptionWithoutHelpTextIsLeftOut) {
  const std::vector<ArgSpec> table = {{"--documented", false, "", false, "", "listed"},
                                      {"--undocumented", true, "-u", false, "N"},
                                      {"--help", false, "-h"}};
  const std::string list = option_list(table);
  EXPECT_EQ(list, "  --documented           listed\n");
  EXPECT_EQ(list.find("--undocumented"), std::string::npos) << list;
}

}  // namespace
}  // namespace toonbox::cli
