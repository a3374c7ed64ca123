#include "doctor/platform_probe.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace toonbox::doctor {
namespace fs = std::filesystem;
namespace {

std::string read_text(const std::string& path, size_t limit = 1 << 16) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::string s(limit, '\0');
  in.read(s.data(), static_cast<std::streamsize>(limit));
  s.resize(static_cast<size_t>(in.gcount()));
  return s;
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

void probe_pci(const DoctorEnvironment& env, PlatformFacts* f) {
  std::error_code ec;
  fs::directory_iterator it(env.host_path("/sys/bus/pci/devices"), ec), end;
  if (ec) return;
  for (; it != end; it.increment(ec)) {
    if (ec) break;
    ++f->pci_device_count;
    const std::string dir = it->path().string();
    if (trim(read_text(dir + "/vendor")) != "0x10de") continue;
    // 0x0300xx VGA, 0x0302xx 3D controller (data-centre GPUs); skip NVIDIA audio/bridges.
    const std::string cls = trim(read_text(dir + "/class"));
    if (cls.rfind("0x0300", 0) != 0 && cls.rfind("0x0302", 0) != 0) continue;
    f->nvidia_gpus.push_back({it->path().filename().string(), trim(read_text(dir + "/device"))});
  }
  f->pci_bus_visible = f->pci_device_count > 0;
  std::sort(f->nvidia_gpus.begin(), f->nvidia_gpus.end(),
            [](const PciGpu& a, const PciGpu& b) { return a.address < b.address; });
}

void probe_device_nodes(const DoctorEnvironment& env, PlatformFacts* f) {
  std::error_code ec;
  fs::directory_iterator it(env.host_path("/dev"), ec), end;
  if (ec) return;
  static const std::regex kGpuNode("nvidia[0-9]+");
  for (; it != end; it.increment(ec)) {
    if (ec) break;
    const std::string name = it->path().filename().string();
    if (name.rfind("nvidia", 0) != 0) continue;
    const bool gpu = std::regex_match(name, kGpuNode);
    if (!gpu && name != "nvidiactl" && name != "nvidia-uvm") continue;
    f->device_nodes.push_back("/dev/" + name);
    if (gpu) ++f->gpu_node_count;
    if (name == "nvidiactl") f->has_control_node = true;
    if (name == "nvidia-uvm") f->has_uvm_node = true;
    if (access(it->path().c_str(), R_OK | W_OK) != 0)
      f->inaccessible_nodes.push_back("/dev/" + name);
  }
  std::sort(f->device_nodes.begin(), f->device_nodes.end());
}

void probe_container(const DoctorEnvironment& env, PlatformFacts* f) {
  std::error_code ec;
  for (const char* marker : {"/.dockerenv", "/run/.containerenv"}) {
    if (fs::exists(env.host_path(marker), ec)) {
      f->in_container = true;
      f->container_evidence = marker;
      return;
    }
  }
  if (auto c = env.var("container"); c && !c->empty()) {  // podman, systemd-nspawn
    f->in_container = true;
    f->container_evidence = "container=" + *c;
    return;
  }
  std::istringstream cgroup(read_text(env.host_path("/proc/1/cgroup")));
  for (std::string line; std::getline(cgroup, line);) {
    for (const char* word : {"docker", "kubepods", "containerd", "libpod", "lxc"}) {
      if (line.find(word) != std::string::npos) {
        f->in_container = true;
        f->container_evidence = std::string("/proc/1/cgroup mentions ") + word;
        return;
      }
    }
  }
}

}  // namespace

std::string parse_kernel_module_version(const std::string& text) {
  const std::string first_line = text.substr(0, text.find('\n'));
  static const std::regex kVersion(R"((?:^|\s)(\d{3,}\.\d+(?:\.\d+)?)(?:\s|$))");
  std::smatch m;
  if (std::regex_search(first_line, m, kVersion)) return m[1];
  return "";
}

PlatformFacts probe_platform(const DoctorEnvironment& env) {
  PlatformFacts f;
  probe_pci(env, &f);
  f.kernel_module_version =
      parse_kernel_module_version(read_text(env.host_path("/proc/driver/nvidia/version")));
  probe_device_nodes(env, &f);
  probe_container(env, &f);
  return f;
}

}  // namespace toonbox::doctor
