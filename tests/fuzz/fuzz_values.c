/* fuzz_values.c — libFuzzer target for the small parsers every write path
 * shares: values for each unit, months, and note text. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct error error = {0};
    for (int unit = UNIT_PERCENT; unit <= UNIT_RATIO; unit++) {
        double value;
        if (command_parse_value(text, (enum unit)unit, &value, &error)) {
            const char *why;
            if (!isfinite(value) || !unit_accepts((enum unit)unit, value, &why))
                abort(); /* accepted a value its unit refuses */
        } else if (error.status != EXIT_DATA || !error.message[0]) {
            abort();
        }
    }
    yearmonth when;
    if (command_parse_period(text, &when, &error)) {
        char back[8];
        yearmonth_format(when, back);
        if (strcmp(back, text) != 0)
            abort(); /* a month must read back exactly as written */
    }
    if (command_check_note(text, &error) && !text_is_clean(text, false))
        abort();
    free(text);
    return 0;
}
