// What the operating system shows about NVIDIA hardware, read from files under the
// environment's root: PCI devices, the kernel module, /dev/nvidia* nodes and whether we
// run in a container.
#pragma once

#include <string>
#include <vector>

#include "doctor/doctor_environment.h"

namespace toonbox::doctor {

struct PciGpu {
  std::string address;    // "0000:01:00.0"
  std::string device_id;  // "0x2335"
};

struct PlatformFacts {
  bool pci_bus_visible = false;  // /sys/bus/pci/devices is readable and not empty
  int pci_device_count = 0;
  std::vector<PciGpu> nvidia_gpus;              // vendor 0x10de, display or 3D controller class
  std::string kernel_module_version;            // from /proc/driver/nvidia/version; "" if absent
  std::vector<std::string> device_nodes;        // "/dev/nvidiactl", "/dev/nvidia0", ...
  bool has_control_node = false;                // /dev/nvidiactl
  bool has_uvm_node = false;                    // /dev/nvidia-uvm
  int gpu_node_count = 0;                       // /dev/nvidia[0-9]+
  std::vector<std::string> inaccessible_nodes;  // present but not read/write for us
  bool in_container = false;
  std::string container_evidence;  // "/.dockerenv", "cgroup: kubepods", ...
};

PlatformFacts probe_platform(const DoctorEnvironment& env);

// "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.65.06  Sun Jul ..." -> "580.65.06"
std::string parse_kernel_module_version(const std::string& proc_text);

}  // namespace toonbox::doctor
