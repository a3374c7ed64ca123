// A failed allocation of the pipeline's image-sized input tensor must be an error the
// caller can handle (std::bad_alloc, which the server's device worker turns into a 503),
// not a write through the null buffer of an empty Tensor: tools/fault_oom.py found the
// server dying with SIGSEGV there. Checked in a forked child whose address space is
// capped just above what it uses, so the allocation really fails.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <new>
#include <string>

#include "pipeline/image_tensor.h"

using namespace toonbox::pipeline;
using namespace toonbox::models;
using namespace toonbox::image;

namespace toonbox {
namespace {

size_t address_space_in_use() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmSize:", 0) == 0) return std::stoull(line.substr(7)) * 1024;
  return 0;
}

TEST(PipelineOutOfMemory, InputTensorAllocationFailureThrowsInsteadOfCrashing) {
  Image img;
  img.width = 3000;
  img.height = 2000;
  img.rgb.assign(size_t{3000} * 2000 * 3, 100);  // 18 MB; its float tensor needs 72 MB
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const rlim_t cap = address_space_in_use() + (rlim_t{32} << 20);
    rlimit rl{cap, cap};
    setrlimit(RLIMIT_AS, &rl);
    try {
      Tensor t = image_to_tensor(img, ImageContract{}, 8);
      _exit(t.empty() ? 3 : 2);  // 2: the cap did not bite (inconclusive), 3: empty tensor returned
    } catch (const std::bad_alloc&) {
      _exit(0);
    }
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "the child died with signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  EXPECT_EQ(WEXITSTATUS(status), 0) << "2: the address-space cap did not make the allocation fail; 3: empty tensor";
}

}  // namespace
}  // namespace toonbox
