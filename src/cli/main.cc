#include <cstdio>

int main() {
  std::puts("toonbox: under construction");
  return 0;
}
