/* test_csv.c — the CSV record reader (src/board/csv_read.c): RFC 4180's
 * quoting, every kind of line end, where each record and field starts, and
 * the malformed records it refuses while reading on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boardfile.h"

/* Every record of `bytes` as text: fields joined by '|', each record
 * "LINE:" then its fields with "@LINE.COLUMN" after each, records by ';';
 * a bad record as "!MESSAGE"; a failure as "FAILED MESSAGE". */
static char *records(const char *bytes, size_t length)
{
    struct csv_reader *reader = csv_open_bytes(bytes, length, "f.csv");
    struct text_buffer out = {0};
    for (;;) {
        struct csv_row row;
        struct error error = {0};
        enum csv_status status = csv_read_row(reader, &row, &error);
        if (status == CSV_END)
            break;
        if (out.length)
            text_append(&out, ";");
        if (status == CSV_FAILED) {
            text_appendf(&out, "FAILED %s", error.message);
            break;
        }
        if (status == CSV_BAD_ROW) {
            text_appendf(&out, "!%s", error.message);
            continue;
        }
        text_appendf(&out, "%u:", row.line);
        for (size_t i = 0; i < row.count; i++) {
            assert_int_equal(strlen(row.fields[i]), row.lengths[i]);
            text_appendf(&out, "%s%s@%u.%u", i ? "|" : "", row.fields[i], row.lines[i],
                         row.columns[i]);
        }
    }
    csv_close(reader);
    char *text = out.data ? out.data : calloc(1, 1);
    return text;
}

static void assert_records(const char *bytes, const char *expected)
{
    char *got = records(bytes, strlen(bytes));
    assert_string_equal(got, expected);
    free(got);
}

static void plain_records_and_line_ends(void **state)
{
    (void)state;
    assert_records("a,b,c\nd,e,f\n", "1:a@1.1|b@1.3|c@1.5;2:d@2.1|e@2.3|f@2.5");
    assert_records("a,b\r\nc,d\r\n", "1:a@1.1|b@1.3;2:c@2.1|d@2.3");
    assert_records("a,b\rc,d", "1:a@1.1|b@1.3;2:c@2.1|d@2.3");
    /* No line end after the last record; empty fields; a trailing comma. */
    assert_records("a,,\n,b", "1:a@1.1|@1.3|@1.4;2:@2.1|b@2.2");
    assert_records("", "");
}

static void blank_lines_are_no_records(void **state)
{
    (void)state;
    assert_records("\n\na\n\n\r\nb\n\n", "3:a@3.1;6:b@6.1");
    /* But a quoted empty field is a record. */
    assert_records("\"\"\n", "1:@1.1");
}

static void quoted_fields(void **state)
{
    (void)state;
    assert_records("\"a,b\",\"say \"\"hi\"\"\",c\n", "1:a,b@1.1|say \"hi\"@1.7|c@1.20");
    /* A line break inside quotes is the field's, and the lines go on
     * counting: the next field starts on line 2. */
    assert_records("\"one\ntwo\",x\ny\n", "1:one\ntwo@1.1|x@2.6;3:y@3.1");
    assert_records("\"one\r\ntwo\",x\r\n", "1:one\r\ntwo@1.1|x@2.6");
    assert_records("\"\"\"\"", "1:\"@1.1");
}

static void columns_count_characters(void **state)
{
    (void)state;
    /* "é" is two bytes, one column; the byte-order mark is not a column. */
    assert_records("\xef\xbb\xbf\xc3\xa9t\xc3\xa9,x\n", "1:\xc3\xa9t\xc3\xa9@1.1|x@1.5");
}

static void malformed_records_are_refused_and_reading_goes_on(void **state)
{
    (void)state;
    assert_records("a\"b,c\nd\n",
                   "!f.csv:1:2: error: a double quote inside an unquoted field; quote the whole "
                   "field and double the quote (\"\");2:d@2.1");
    assert_records("\"ab\"c,d\ne\n",
                   "!f.csv:1:5: error: text after the closing quote of a field; a quoted field "
                   "ends at its quote;2:e@2.1");
    assert_records("a,b\xff,c\nd\n", "!f.csv:1:3: error: the field is not valid UTF-8;2:d@2.1");
    static const char nul[] = "a,b\0c\nd\n";
    char *got = records(nul, sizeof nul - 1);
    assert_string_equal(got, "!f.csv:1:4: error: the file holds a NUL byte here;2:d@2.1");
    free(got);
    assert_records("a,\"b\nc\n",
                   "FAILED f.csv:1:3: error: the quote that opens this field is never closed");
}

static void limits_keep_a_hostile_record_small(void **state)
{
    (void)state;
    struct text_buffer text = {0};
    for (int i = 0; i < 70; i++)
        text_append(&text, "x,");
    text_append(&text, "\nok\n");
    char *got = records(text.data, text.length);
    assert_string_equal(got, "!f.csv:1:129: error: the row has more than 64 fields;2:ok@2.1");
    free(got);
    text_free(&text);
    /* A field over 64 KB, quoted or not, is refused; the record after it is read. */
    for (int quoted = 0; quoted < 2; quoted++) {
        if (quoted)
            text_append(&text, "\"");
        for (int i = 0; i < 70000; i++)
            text_append(&text, "y");
        text_append(&text, quoted ? "\",z\nok\n" : ",z\nok\n");
        got = records(text.data, text.length);
        assert_string_equal(got, "!f.csv:1:1: error: the field is longer than 64 KB;2:ok@2.1");
        free(got);
        text_free(&text);
    }
}

/* A file read in blocks gives the same records as the same bytes at once,
 * across block boundaries (a quote, a CRLF or a UTF-8 character split). */
static void a_file_reads_as_its_bytes_do(void **state)
{
    (void)state;
    char path[] = "/tmp/boardpack-test-csv-XXXXXX";
    int descriptor = mkstemp(path);
    assert_true(descriptor >= 0);
    FILE *file = fdopen(descriptor, "wb");
    struct text_buffer text = {0};
    text_append(&text, "metric,period,value,note\r\n");
    for (int i = 0; i < 20000; i++)
        text_appendf(&text, "1.%d,2023-%02d,%d.5,\"n\xc3\xa9, \"\"%d\"\"\"\r\n", i, i % 12 + 1, i,
                     i);
    fwrite(text.data, 1, text.length, file);
    fclose(file);
    struct csv_reader *reader;
    struct error error = {0};
    assert_true(csv_open_path(path, &reader, &error));
    char *expected = records(text.data, text.length);
    struct text_buffer got = {0};
    struct csv_row row;
    while (csv_read_row(reader, &row, &error) == CSV_ROW) {
        if (got.length)
            text_append(&got, ";");
        text_appendf(&got, "%u:", row.line);
        for (size_t i = 0; i < row.count; i++)
            text_appendf(&got, "%s%s@%u.%u", i ? "|" : "", row.fields[i], row.lines[i],
                         row.columns[i]);
    }
    csv_close(reader);
    remove(path);
    assert_string_equal(got.data, expected);
    free(expected);
    text_free(&got);
    text_free(&text);
    assert_false(csv_open_path("/nonexistent/feed.csv", &reader, &error));
    assert_int_equal(error.status, EXIT_NO_INPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_records_and_line_ends),
        cmocka_unit_test(blank_lines_are_no_records),
        cmocka_unit_test(quoted_fields),
        cmocka_unit_test(columns_count_characters),
        cmocka_unit_test(malformed_records_are_refused_and_reading_goes_on),
        cmocka_unit_test(limits_keep_a_hostile_record_small),
        cmocka_unit_test(a_file_reads_as_its_bytes_do),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
