/* test_util.c — the one copy of each shared helper (src/util): UTF-8
 * decoding and encoding, display width, the shortest number text, CSV
 * quoting, and the allocation failure hook. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

static void decodes_utf8_of_every_length(void **state)
{
    (void)state;
    wchar_t c;
    assert_int_equal(utf8_decode("A", 1, &c), 1);
    assert_int_equal(c, L'A');
    assert_int_equal(utf8_decode("\xC2\xA3", 2, &c), 2); /* £ */
    assert_int_equal(c, 0xA3);
    assert_int_equal(utf8_decode("\xE2\x80\x93x", 4, &c), 3); /* – */
    assert_int_equal(c, 0x2013);
    assert_int_equal(utf8_decode("\xF0\x9F\x98\x80", 4, &c), 4); /* 😀 */
    assert_int_equal(c, 0x1F600);
    assert_int_equal(utf8_decode("\xF4\x8F\xBF\xBF", 4, &c), 4); /* U+10FFFF */
    assert_int_equal(c, 0x10FFFF);
}

static void refuses_what_is_not_utf8(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",                     /* nothing */
        "\x80",                 /* a stray continuation */
        "\xC3",                 /* truncated */
        "\xE2\x80",             /* truncated */
        "\xC3\x28",             /* a bad continuation */
        "\xC0\x80",             /* overlong NUL */
        "\xE0\x80\xAF",         /* overlong '/' */
        "\xED\xA0\x80",         /* a surrogate */
        "\xF4\x90\x80\x80",     /* beyond U+10FFFF */
        "\xF8\x88\x80\x80\x80", /* an old 5-byte form */
        "\xFF",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wchar_t c = 0;
        assert_int_equal(utf8_decode(bad[i], strlen(bad[i]), &c), 0);
        assert_false(i > 0 && utf8_is_valid(bad[i], strlen(bad[i])));
    }
    assert_true(utf8_is_valid("caf\xC3\xA9", 5));
}

static void decodes_whatever_the_locale(void **state)
{
    (void)state;
    /* Stored text is UTF-8 even for a user whose locale is not. */
    setlocale(LC_ALL, "C");
    wchar_t c;
    assert_int_equal(utf8_decode("\xC3\xA9", 2, &c), 2);
    assert_int_equal(c, 0xE9);
    assert_int_equal(display_width("\xE6\x97\xA5\xE6\x9C\xAC"), 4); /* 日本 */
    assert_true(text_is_clean("\xC2\xA3" "5", false));
    /* ...and the thread's locale is the global one again afterwards. */
    assert_true(uselocale((locale_t)0) == LC_GLOBAL_LOCALE);
    setlocale(LC_ALL, "C.UTF-8");
}

static void encodes_utf8_and_round_trips(void **state)
{
    (void)state;
    char bytes[4];
    assert_int_equal(utf8_encode(L'A', bytes), 1);
    assert_memory_equal(bytes, "A", 1);
    assert_int_equal(utf8_encode(0xA3, bytes), 2);
    assert_memory_equal(bytes, "\xC2\xA3", 2);
    assert_int_equal(utf8_encode(0x2800, bytes), 3);
    assert_memory_equal(bytes, "\xE2\xA0\x80", 3);
    assert_int_equal(utf8_encode(0x1F600, bytes), 4);
    assert_memory_equal(bytes, "\xF0\x9F\x98\x80", 4);
    assert_int_equal(utf8_encode(0xD800, bytes), 0);
    assert_int_equal(utf8_encode(0x110000, bytes), 0);
    static const wchar_t samples[] = {0x01, 0x7F, 0x80, 0x7FF, 0x800, 0xFFFD, 0xFFFF, 0x10000,
                                      0x10FFFF};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        size_t length = utf8_encode(samples[i], bytes);
        wchar_t back = 0;
        assert_int_equal(utf8_decode(bytes, length, &back), length);
        assert_int_equal(back, samples[i]);
    }
}

static void measures_cells_as_the_screen_draws_them(void **state)
{
    (void)state;
    assert_int_equal(display_width(""), 0);
    assert_int_equal(display_width("abc"), 3);
    assert_int_equal(display_width("£5 – ‘quoted’"), 13);
    assert_int_equal(display_width("\xC2\xA3" "5 \xE2\x80\x93 \xE2\x80\x98q\xE2\x80\x99"), 8);
    assert_int_equal(display_width("\xE6\x97\xA5\xE6\x9C\xAC"), 4);   /* wide */
    assert_int_equal(display_width("e\xCC\x81"), 1);                 /* a combining acute */
    assert_int_equal(display_width("a\tb"), 3);                      /* a control: a space */
    assert_int_equal(display_width("a\xFF" "b"), 3);                 /* a bad byte: U+FFFD */
    assert_int_equal(character_width(L'x'), 1);
    assert_int_equal(character_width(0x65E5), 2);
    assert_int_equal(character_width(0x0301), 0);
    assert_int_equal(character_width(0x1B), -1);
    assert_true(character_is_control(0x7F));
    assert_true(character_is_control(0x85));
    assert_false(character_is_control(0xA0));
}

static void clean_text_has_no_controls(void **state)
{
    (void)state;
    assert_true(text_is_clean("a note \xE2\x80\x93 fine", false));
    assert_false(text_is_clean("two\nlines", false));
    assert_false(text_is_clean("tab\there", false));
    assert_true(text_is_clean("tab\there", true));
    assert_false(text_is_clean("escape \x1B[2J", false));
    assert_false(text_is_clean("C1 \xC2\x9B", false));
    assert_false(text_is_clean("bad \xC3", false));
}

static void numbers_are_the_shortest_that_read_back(void **state)
{
    (void)state;
    char text[48];
    format_number_shortest(90, 17, text, sizeof text);
    assert_string_equal(text, "90");
    format_number_shortest(68.4, 17, text, sizeof text);
    assert_string_equal(text, "68.4");
    format_number_shortest(-5, 17, text, sizeof text);
    assert_string_equal(text, "-5");
    format_number_shortest(0.1 + 0.2, 17, text, sizeof text);
    assert_string_equal(text, "0.30000000000000004");
    format_number_shortest(0.1 + 0.2, 15, text, sizeof text);
    assert_string_equal(text, "0.3");
    format_number_shortest(123456789012, 17, text, sizeof text); /* no exponent */
    assert_string_equal(text, "123456789012");
    format_number_shortest(0.00012, 17, text, sizeof text);
    assert_string_equal(text, "0.00012");
    format_number_shortest(0.00001, 17, text, sizeof text);
    assert_string_equal(text, "1e-05");
    format_number_shortest(1e20, 17, text, sizeof text);
    assert_string_equal(text, "1e+20");
    double values[] = {1.0 / 3, 2.0 / 3, 1e-300, 123.456e10, -0.007};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        format_number_shortest(values[i], 17, text, sizeof text);
        assert_true(strtod(text, NULL) == values[i]);
    }
}

static void times_are_checked_against_the_calendar(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        enum timestamp_check check;
    } cases[] = {
        {"2024-02-29T09:00:00Z", TIMESTAMP_VALID}, /* a leap year */
        {"2000-02-29T00:00:00Z", TIMESTAMP_VALID}, /* every 400 years */
        {"2023-12-31T23:59:60Z", TIMESTAMP_VALID}, /* a leap second */
        {"2023-02-29T09:00:00Z", TIMESTAMP_NO_SUCH_DAY},
        {"1900-02-29T09:00:00Z", TIMESTAMP_NO_SUCH_DAY}, /* not every 100 */
        {"2024-02-30T09:00:00Z", TIMESTAMP_NO_SUCH_DAY},
        {"2024-02-31T09:00:00Z", TIMESTAMP_NO_SUCH_DAY},
        {"2024-04-31T09:00:00Z", TIMESTAMP_NO_SUCH_DAY},
        {"2024-11-31T09:00:00Z", TIMESTAMP_NO_SUCH_DAY},
        {"2024-12-32T09:00:00Z", TIMESTAMP_MALFORMED},
        {"2024-13-01T09:00:00Z", TIMESTAMP_MALFORMED},
        {"2024-00-01T09:00:00Z", TIMESTAMP_MALFORMED},
        {"2024-01-00T09:00:00Z", TIMESTAMP_MALFORMED},
        {"2024-01-01T24:00:00Z", TIMESTAMP_MALFORMED},
        {"2024-01-01T09:60:00Z", TIMESTAMP_MALFORMED},
        {"2024-01-01", TIMESTAMP_MALFORMED},
        {"2024-01-01 09:00:00Z", TIMESTAMP_MALFORMED},
        {"2024-01-01T09:00:00+", TIMESTAMP_MALFORMED},
        {"1899-12-31T09:00:00Z", TIMESTAMP_MALFORMED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(timestamp_check(cases[i].text), cases[i].check);
    static const int days[][3] = {{2023, 2, 28}, {2024, 2, 29}, {2024, 9, 30},
                                  {2024, 12, 31}, {2024, 13, 0}};
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++)
        assert_int_equal(days_in_month(days[i][0], days[i][1]), days[i][2]);
}

static char *csv_of(const char *const *fields, size_t count)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    for (size_t i = 0; i < count; i++) {
        if (i)
            fputc(',', out);
        csv_write_field(out, fields[i]);
    }
    fclose(out);
    return text;
}

static void csv_fields_are_quoted_as_rfc_4180(void **state)
{
    (void)state;
    const char *fields[] = {"plain", "a, b", "say \"hi\"", "two\nlines", "cr\r", NULL, ""};
    char *text = csv_of(fields, sizeof fields / sizeof fields[0]);
    assert_string_equal(text,
                        "plain,\"a, b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",,");
    free(text);
}

static void hook_runs(void)
{
    static const char said[] = "hook\n";
    if (write(STDERR_FILENO, said, sizeof said - 1) < 0) {
        /* The test reads what arrived. */
    }
}

static void out_of_memory_calls_the_hook_before_the_message(void **state)
{
    (void)state;
    int pipe_ends[2];
    assert_int_equal(pipe(pipe_ends), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        dup2(pipe_ends[1], STDERR_FILENO);
        close(pipe_ends[0]);
        util_set_fatal_hook(hook_runs);
        /* More than memory can hold: grow_array gives up before malloc. */
        void *array = NULL;
        size_t capacity = 0;
        grow_array(&array, &capacity, (size_t)-1, 2);
        _exit(0); /* not reached */
    }
    close(pipe_ends[1]);
    char said[128] = {0};
    size_t used = 0;
    ssize_t got;
    while (used < sizeof said - 1 &&
           (got = read(pipe_ends[0], said + used, sizeof said - 1 - used)) > 0)
        used += (size_t)got;
    close(pipe_ends[0]);
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), EXIT_SOFTWARE);
    assert_string_equal(said, "hook\nboardpack: out of memory\n");
}

/* Suggestions: ASCII case is no difference, other edits count one each. */
static void edit_distance_counts_edits_ignoring_case(void **state)
{
    (void)state;
    assert_int_equal(edit_distance("barnet", "Barnet"), 0);
    assert_int_equal(edit_distance("Barnit", "Barnet"), 1);
    assert_int_equal(edit_distance("Enfeild", "Enfield"), 2);
    assert_int_equal(edit_distance("", "abc"), 3);
    assert_int_equal(edit_distance("titel", "title"), 2);
    assert_int_equal(edit_distance("Zzz", "Barnet"), 6);
    /* Any length: no fixed table. */
    char longer[201];
    memset(longer, 'a', 200);
    longer[200] = '\0';
    assert_int_equal(edit_distance(longer, "a"), 199);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decodes_utf8_of_every_length),
        cmocka_unit_test(refuses_what_is_not_utf8),
        cmocka_unit_test(decodes_whatever_the_locale),
        cmocka_unit_test(encodes_utf8_and_round_trips),
        cmocka_unit_test(measures_cells_as_the_screen_draws_them),
        cmocka_unit_test(clean_text_has_no_controls),
        cmocka_unit_test(numbers_are_the_shortest_that_read_back),
        cmocka_unit_test(csv_fields_are_quoted_as_rfc_4180),
        cmocka_unit_test(edit_distance_counts_edits_ignoring_case),
        cmocka_unit_test(times_are_checked_against_the_calendar),
        cmocka_unit_test(out_of_memory_calls_the_hook_before_the_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
