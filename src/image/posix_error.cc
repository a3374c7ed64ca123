#include "image/posix_error.h"

#include <cerrno>
#include <cstring>

namespace toonbox::image {

Status posix_error(int err, const std::string& what) {
  const std::string message = what + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return not_found(message);
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
    case EMFILE:
    case ENFILE:
      return resource_exhausted(message);
    case ENOMEM:
      return out_of_memory(message);
    case EIO:
      return data_loss(message);
    case EACCES:
    case EPERM:
    case EROFS:
    case EISDIR:
    case ELOOP:
    case ENAMETOOLONG:
    case EEXIST:
    case EXDEV:
      return invalid_argument(message);
    default:
      return unavailable(message);
  }
}

}  // namespace toonbox::image
