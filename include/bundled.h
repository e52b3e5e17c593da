/* bundled.h — the trust's boards and the sample readings, compiled into the
 * binary from data/ so that first-run seeding needs no installed files. */
#ifndef BOARDPACK_BUNDLED_H
#define BOARDPACK_BUNDLED_H

#include <stdbool.h>
#include <stddef.h>

struct bundled_file {
    const char *name;   /* e.g. "nlmhp-2023-24.yaml" */
    const char *bytes;  /* NUL-terminated */
    size_t length;
    bool sample;        /* the illustrative readings, imported as sample */
};
extern const struct bundled_file bundled_files[];
extern const size_t bundled_file_count;

#endif
