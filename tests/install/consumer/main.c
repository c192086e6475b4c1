/* Uses an installed mint through its public header only: the version of the library must match
 * the header's, and loading a missing file must fail with mint_status_io_error and a message.
 * Prints "consumer ok" and exits 0 on success. */
#include <mint/mint.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  char header_version[32];
  snprintf(header_version, sizeof header_version, "%d.%d.%d", MINT_VERSION_MAJOR,
           MINT_VERSION_MINOR, MINT_VERSION_PATCH);
  printf("mint %s (header %s)\n", mint_version(), header_version);
  if (strcmp(mint_version(), header_version) != 0) {
    fprintf(stderr, "FAIL: library version %s, header version %s\n", mint_version(),
            header_version);
    return 1;
  }

  mint_model_t model = NULL;
  const mint_status status = mint_model_load_file("/nonexistent/model.mint", NULL, &model);
  printf("loading a missing file: %s: %s\n", mint_status_string(status), mint_last_error());
  if (status != mint_status_io_error || model != NULL || mint_last_error()[0] == '\0') {
    fprintf(stderr, "FAIL: want io_error with a message and no model\n");
    return 1;
  }
  printf("consumer ok\n");
  return 0;
}
