/* fixture.h — a small board used by the store, command and report tests:
 * two aims, a metric with a baseline, a multi-metric deliverable, a metric
 * with a borough breakdown, and a milestone. */
#ifndef BOARDPACK_TEST_FIXTURE_H
#define BOARDPACK_TEST_FIXTURE_H

static const char fixture_board[] =
    "board:\n"
    "  code: test-board\n"
    "  title: \"A test board – with £ and ’quotes’\"\n"
    "  period: \"2023/24\"\n"
    "  purpose: \"To test\"\n"
    "  vision: \"Tests pass\"\n"
    "  values:\n"
    "    - {name: \"We are kind\", text: \"We show empathy\"}\n"
    "aims:\n"
    "  - code: \"1\"\n"
    "    title: \"First aim\"\n"
    "    objectives:\n"
    "      - code: \"1.1\"\n"
    "        title: \"First objective\"\n"
    "        deliverables:\n"
    "          - code: \"1.1.1\"\n"
    "            title: \"Physical health checks\"\n"
    "            metric: {name: \"Checks\", unit: percent, direction: up,\n"
    "                     baseline: {value: 58.5, period: 2023-03},\n"
    "                     target: {value: 75, period: 2024-03}, breakdown: borough}\n"
    "          - code: \"1.1.2\"\n"
    "            title: \"Apprenticeships\"\n"
    "            metrics:\n"
    "              - {code: \"1.1.2a\", name: \"Share\", unit: percent, direction: up,\n"
    "                 target: {value: 9, period: 2024-03}}\n"
    "              - {code: \"1.1.2b\", name: \"Number\", unit: count, direction: up,\n"
    "                 target: {value: 225, period: 2024-03}}\n"
    "  - code: \"2\"\n"
    "    title: \"Second aim\"\n"
    "    objectives:\n"
    "      - code: \"2.1\"\n"
    "        title: \"Second objective\"\n"
    "        deliverables:\n"
    "          - code: \"2.1.1\"\n"
    "            title: \"Refurbish a ward\"\n"
    "            milestone: {due: 2024-03, status: on_track}\n"
    "readings:\n"
    "  - {metric: \"1.1.1\", period: 2023-04, value: 60.1}\n"
    "  - {metric: \"1.1.1\", period: 2023-05, value: 61.5}\n"
    "  - {metric: \"1.1.1\", period: 2023-05, value: 55, segment: Barnet}\n"
    "  - {metric: \"1.1.2b\", period: 2023-05, value: 120, note: \"from ESR\"}\n";

static const char fixture_readings[] =
    "board: {code: test-board}\n"
    "readings:\n"
    "  - {metric: \"1.1.1\", period: 2023-06, value: 62.0}\n"
    "  - {metric: \"1.1.2a\", period: 2023-06, value: 4.5}\n";

/* The board in `text`, read as the file `name`; a refusal fails the test.
 * (Include cmocka.h, string.h and boardfile.h first.) */
static inline struct board *fixture_parse(const char *text, const char *name)
{
    struct board *board = NULL;
    struct error error = {0};
    if (!boardfile_read_bytes(text, strlen(text), name, &board, &error))
        fail_msg("%s", error.message);
    return board;
}

#endif
