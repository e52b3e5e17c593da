/* fuzz_boardfile.c — libFuzzer target: any bytes through the board-file
 * reader must end in a board or a located error, never a crash, a leak or a
 * hang; a board that reads must also write and read back. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boardfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct board *board = NULL;
    struct error error = {0};
    if (!boardfile_read_bytes((const char *)data, size, "fuzz.yaml", &board, &error)) {
        /* Every refusal is located and says so. */
        if (error.status != EXIT_DATA || strncmp(error.message, "fuzz.yaml:", 10) != 0 ||
            !strstr(error.message, ": error: "))
            abort();
        return 0;
    }
    /* What reads must write without error. */
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    if (!out)
        abort();
    if (!board->readings_only && !boardfile_write_yaml(board, out, &error))
        abort();
    fclose(out);
    free(text);
    board_free(board);
    return 0;
}
