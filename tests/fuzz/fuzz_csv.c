/* fuzz_csv.c — libFuzzer target for the CSV record reader (csv_read.c):
 * any bytes give records, bad records or a failure, never a crash, and
 * every record it hands out holds what it promises: each field's length
 * its text's (no NUL inside), valid UTF-8, and a place at or after its
 * record's start. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boardfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct csv_reader *reader = csv_open_bytes((const char *)data, size, "fuzz.csv");
    unsigned last_line = 0;
    for (size_t records = 0; records <= size + 1; records++) {
        struct csv_row row;
        struct error error = {0};
        enum csv_status status = csv_read_row(reader, &row, &error);
        if (status == CSV_END)
            break;
        if (status == CSV_FAILED || status == CSV_BAD_ROW) {
            if (error.status != EXIT_DATA || !strstr(error.message, "fuzz.csv:"))
                abort(); /* every problem with the bytes is located */
            if (status == CSV_FAILED)
                break;
            continue;
        }
        if (row.count == 0 || row.count > 64 || row.line < last_line || row.line == 0)
            abort();
        last_line = row.line;
        for (size_t i = 0; i < row.count; i++) {
            if (strlen(row.fields[i]) != row.lengths[i] ||
                !utf8_is_valid(row.fields[i], row.lengths[i]) || row.lines[i] < row.line ||
                row.columns[i] == 0)
                abort();
        }
        if (records == size + 1)
            abort(); /* more records than bytes: the reader is not moving */
    }
    csv_close(reader);
    return 0;
}
