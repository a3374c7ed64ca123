// OpenMP's wait policy, chosen before the runtime starts.
//
// libgomp's threads spin for a while at the end of every parallel region before they
// sleep. On the CPU the model's OpenMP threads share the cores with the decode and
// encode threads of a folder run or the server, and spinning threads take those cores
// (issue 14: on this 2-core machine with another build running, a folder of photos went
// 0.76 -> 0.93 images/s with OMP_WAIT_POLICY=PASSIVE). libgomp reads the policy once, when
// it is loaded, before main() runs, so setting it in-process is too late: the program
// sets it and executes itself again, once.
#pragma once

namespace toonbox::cli {

// When OMP_WAIT_POLICY is unset: sets it to PASSIVE and re-executes /proc/self/exe with
// the same arguments (never returns then). Returns, doing nothing, when the variable is
// set (by the user, or by the first execution) or when the re-execution fails.
void use_passive_openmp_wait(char** argv);

}  // namespace toonbox::cli
