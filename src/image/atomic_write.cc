// atomic_write_file: readers of `path` see the old content or the complete new content,
// never a prefix, even across a crash or power loss.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <random>
#include <string>

#include "image/atomic_temp_files.h"
#include "image/image_io.h"
#include "image/posix_error.h"

namespace toonbox::image {
namespace {

constexpr int kCreateAttempts = 8;

struct SplitPath {
  std::string dir;   // "." when path has no slash
  std::string name;  // may be empty when path ends with '/'
};

SplitPath split_path(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {".", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

// The name's pattern lives in atomic_temp_files.cc so a later run can recognise and
// remove what a killed writer left behind.
std::string temp_path_for(const SplitPath& p, uint64_t random) {
  return (p.dir == "/" ? "" : p.dir) + "/" + atomic_temp_name(p.name, static_cast<long>(getpid()), random);
}

Status write_all(int fd, const std::vector<uint8_t>& bytes, const std::string& temp) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return posix_error(errno, "cannot write temporary file " + temp);
    }
    done += static_cast<size_t>(n);  // short writes just loop
  }
  return Status::ok();
}

// Makes the rename itself durable. Some filesystems cannot fsync a directory (EINVAL);
// there is nothing more we can do on those, so that is not an error.
Status sync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return posix_error(errno, "cannot open directory " + dir + " to sync it");
  int rc;
  do {
    rc = ::fsync(fd);
  } while (rc != 0 && errno == EINTR);
  const int err = errno;
  ::close(fd);
  if (rc != 0 && err != EINVAL && err != ENOTSUP) {
    return posix_error(err, "cannot sync directory " + dir);
  }
  return Status::ok();
}

// Everything up to and including the rename; on error the temporary file is already gone.
Status write_temp_and_rename(const std::string& path, const SplitPath& parts,
                             const std::vector<uint8_t>& bytes) {
  std::random_device device;
  std::mt19937_64 rng((uint64_t{device()} << 32) ^ device());
  std::string temp;
  int fd = -1;
  for (int attempt = 0; attempt < kCreateAttempts && fd < 0; ++attempt) {
    temp = temp_path_for(parts, rng());
    // O_EXCL: never open (and then delete) a file someone else created under that name.
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) {
      return posix_error(errno, "cannot create a temporary file in " + parts.dir);
    }
  }
  if (fd < 0) return posix_error(EEXIST, "cannot create a temporary file in " + parts.dir);

  Status status = write_all(fd, bytes, temp);
  if (status.is_ok()) {
    int rc;
    do {
      rc = ::fsync(fd);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) status = posix_error(errno, "cannot sync temporary file " + temp);
  }
  // close() can report a delayed write error (NFS); only a clean close means the data is in.
  if (::close(fd) != 0 && status.is_ok() && errno != EINTR) {
    status = posix_error(errno, "cannot close temporary file " + temp);
  }
  if (status.is_ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    status = posix_error(errno, "cannot rename " + temp + " to " + path);
  }
  if (!status.is_ok()) ::unlink(temp.c_str());
  return status;
}

}  // namespace

Status atomic_write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  const SplitPath parts = split_path(path);
  if (parts.name.empty() || parts.name == "." || parts.name == "..") {
    return invalid_argument(path + ": not a file name");
  }
  TB_RETURN_IF_ERROR(write_temp_and_rename(path, parts, bytes).with_context(path));
  return sync_directory(parts.dir).with_context(path);
}

}  // namespace toonbox::image
