// The dynamic linker's cache as `ldconfig -p` prints it: which file a soname maps to
// when neither LD_LIBRARY_PATH nor RUNPATH supplies it.
#pragma once

#include <string>
#include <vector>

#include "doctor/doctor_environment.h"

namespace toonbox::doctor {

class LdconfigCache {
 public:
  // Parses lines like "\tlibz.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libz.so.1",
  // keeping only entries for this process's architecture.
  static LdconfigCache parse(const std::string& text);
  // env.ldconfig_output when set, else the output of `ldconfig -p`.
  static LdconfigCache load(const DoctorEnvironment& env);

  // Paths for an exact soname, in cache order (the first one wins).
  std::vector<std::string> lookup(const std::string& soname) const;
  // Every (soname, path) whose soname starts with prefix ("libcudnn.so").
  std::vector<std::pair<std::string, std::string>> with_prefix(const std::string& prefix) const;

 private:
  std::vector<std::pair<std::string, std::string>> entries_;  // (soname, path), cache order
};

}  // namespace toonbox::doctor
