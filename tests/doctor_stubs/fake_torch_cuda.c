/* Built as libtorch_cuda.so with DT_NEEDED on the cudart and cudnn stubs and a RUNPATH
 * like a pip wheel's ($ORIGIN/../../nvidia/cudnn/lib), for the loader-resolution tests. */
int toonbox_fake_torch_cuda(void) { return 0; }
