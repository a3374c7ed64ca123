// /metrics' process_* families and toonbox_build_info: present with HELP and TYPE, and
// with values that agree with what the test can see of its own process.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <sstream>

#include "doctor/build_info.h"
#include "server/process_metrics.h"
#include "server_test_util.h"

namespace toonbox::server_test {
namespace {

// name{labels} -> value, for the samples of a Prometheus text page.
std::map<std::string, double> samples(const std::string& page) {
  std::map<std::string, double> out;
  std::istringstream lines(page);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

double seconds_since_epoch() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double cpu_seconds_of_this_process() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
         usage.ru_stime.tv_usec / 1e6;
}

TEST(ProcessMetrics, ValuesAgreeWithTheProcess) {
  const server::ProcessStats before = server::read_process_stats();
  ASSERT_GE(before.cpu_seconds, 0);
  // getrusage counts the same CPU time in finer units: /proc is in clock ticks.
  EXPECT_NEAR(before.cpu_seconds, cpu_seconds_of_this_process(), 0.1);
  EXPECT_GT(before.resident_bytes, 1 << 20);
  EXPECT_GT(before.virtual_bytes, before.resident_bytes);
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  EXPECT_EQ(before.max_fds, static_cast<double>(limit.rlim_cur));
  EXPECT_GE(before.open_fds, 3);  // stdin, stdout, stderr
  EXPECT_LE(before.open_fds, before.max_fds);
  const double now = seconds_since_epoch();
  EXPECT_LE(before.start_time_seconds, now + 1);
  EXPECT_GT(before.start_time_seconds, now - 24 * 3600) << "the test binary started within the day";

  // Ten more descriptors are seen as ten more; burnt CPU is seen as CPU.
  std::vector<int> fds;
  for (int i = 0; i < 10; ++i) fds.push_back(open("/dev/null", O_RDONLY));
  const auto spin_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(150);
  volatile double sink = 0;
  while (std::chrono::steady_clock::now() < spin_until) sink = sink + 1;
  const server::ProcessStats after = server::read_process_stats();
  for (int fd : fds) close(fd);
  EXPECT_EQ(after.open_fds - before.open_fds, 10);
  EXPECT_GT(after.cpu_seconds, before.cpu_seconds + 0.05);
  EXPECT_EQ(after.start_time_seconds, before.start_time_seconds);
}

TEST(ProcessMetrics, ScrapedFromTheServer) {
  ServerHarness h;
  auto r = h.client()->Get("/metrics");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  const std::string& page = r->body;
  for (const char* family :
       {"process_cpu_seconds_total counter", "process_resident_memory_bytes gauge",
        "process_virtual_memory_bytes gauge", "process_open_fds gauge", "process_max_fds gauge",
        "process_start_time_seconds gauge", "toonbox_build_info gauge"}) {
    const std::string name = std::string(family).substr(0, std::string(family).find(' '));
    EXPECT_NE(page.find("# HELP " + name + " "), std::string::npos) << name;
    EXPECT_NE(page.find("# TYPE " + std::string(family) + "\n"), std::string::npos) << family;
  }
  const auto values = samples(page);
  auto value = [&](const std::string& key) {
    auto it = values.find(key);
    EXPECT_NE(it, values.end()) << key << " missing from\n" << page;
    return it == values.end() ? -1.0 : it->second;
  };
  // The server runs in this process, so its numbers are this process's.
  EXPECT_NEAR(value("process_cpu_seconds_total"), cpu_seconds_of_this_process(), 0.5);
  EXPECT_GT(value("process_resident_memory_bytes"), 1 << 20);
  EXPECT_GT(value("process_virtual_memory_bytes"), value("process_resident_memory_bytes"));
  EXPECT_GE(value("process_open_fds"), 4);  // the listening socket and the scrape's connection too
  EXPECT_LE(value("process_open_fds"), value("process_max_fds"));
  EXPECT_NEAR(value("process_start_time_seconds"), server::read_process_stats().start_time_seconds,
              0.01);

  const doctor::BuildInfo build = doctor::BuildInfo::of_this_binary();
  std::string info;
  for (const auto& [key, v] : values)
    if (key.rfind("toonbox_build_info{", 0) == 0) {
      info = key;
      EXPECT_EQ(v, 1);
    }
  ASSERT_FALSE(info.empty()) << page;
  EXPECT_NE(info.find("version=\"" TOONBOX_VERSION "\""), std::string::npos) << info;
  if (build.cuda_backend) {
    EXPECT_NE(info.find("cudnn=\"" + doctor::format_cudnn_version(build.cudnn_version) + "\""),
              std::string::npos)
        << info;
    EXPECT_NE(info.find("archs=\"" + build.cuda_archs + "\""), std::string::npos) << info;
  } else {
    EXPECT_NE(info.find("cuda=\"none\",cudnn=\"none\",archs=\"none\""), std::string::npos) << info;
  }
  EXPECT_NE(info.find("onednn=\"" + cpu::onednn_version() + "\""), std::string::npos) << info;
}

}  // namespace
}  // namespace toonbox::server_test
