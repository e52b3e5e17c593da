/* input.c — the one input point of the browser and the kiosk: it updates
 * the terminal (with the hardware cursor parked on the focused row, where
 * screen readers follow it), waits for a key with a timeout, drains the
 * keys typed ahead so a frame is drawn only once they are handled, and turns
 * a resize, a hung-up terminal and the end of the wait into events. */
#include <signal.h>

#include "screen_internal.h"

/* Set by SIGTERM and SIGHUP; everything else happens in the loop. */
static volatile sig_atomic_t terminated;

static void on_terminate(int signal_number)
{
    (void)signal_number;
    terminated = 1;
}

static const int ending_signals[] = {SIGTERM, SIGHUP};
static const int interrupt_signals[] = {SIGINT, SIGQUIT, SIGTSTP, SIGPIPE};

void screen_signals_catch(struct screen_signals *saved, bool ignore_interrupts)
{
    struct sigaction end = {0}, ignore = {0};
    end.sa_handler = on_terminate; /* no SA_RESTART: the wait for a key ends */
    ignore.sa_handler = SIG_IGN;
    for (size_t i = 0; i < 2; i++)
        sigaction(ending_signals[i], &end, &saved->ending[i]);
    saved->ignoring = ignore_interrupts;
    for (size_t i = 0; ignore_interrupts && i < 4; i++)
        sigaction(interrupt_signals[i], &ignore, &saved->interrupts[i]);
}

void screen_signals_restore(const struct screen_signals *saved)
{
    for (size_t i = 0; saved->ignoring && i < 4; i++)
        sigaction(interrupt_signals[i], &saved->interrupts[i], NULL);
    for (size_t i = 0; i < 2; i++)
        sigaction(ending_signals[i], &saved->ending[i], NULL);
}

void input_show(int cursor_y, int cursor_x)
{
    if (cursor_y >= 0 && cursor_y < LINES && cursor_x >= 0 && cursor_x < COLS)
        move(cursor_y, cursor_x);
    refresh();
}

static struct input_event event_for(int status, wint_t key)
{
    struct input_event event = {.kind = INPUT_KEY, .key = key,
                                .function = status == KEY_CODE_YES};
    if (event.function && key == KEY_RESIZE)
        event.kind = INPUT_RESIZE;
    else if (event.function && key == KEY_MOUSE)
        event.kind = INPUT_MOUSE;
    return event;
}

void input_wait(const struct input_point *point, input_handler handle, void *context)
{
    input_show(point->cursor_y, point->cursor_x);
    int wait = point->wait_ms > 0 ? point->wait_ms : 0;
    timeout(wait);
    wint_t key;
    long long asked = screen_now_ms();
    int status = get_wch(&key);
    if (status == ERR) {
        /* A read that ends long before its time with nothing read, on a
         * terminal that reads as hung up, is the end of the terminal. */
        struct input_event event = {.kind = INPUT_TICK};
        if (screen_now_ms() - asked < wait / 2 && screen_input_gone())
            event.kind = INPUT_HANGUP;
        handle(context, &event);
        return;
    }
    struct input_event first = event_for(status, key);
    if (!handle(context, &first))
        return;
    /* Typed ahead: handled before anything is drawn (a batch at most, so a
     * storm of keys cannot stop the clock or the polling). */
    timeout(0);
    for (int n = 0; point->batch_limit <= 0 || n < point->batch_limit; n++) {
        if ((status = get_wch(&key)) == ERR)
            break;
        struct input_event next = event_for(status, key);
        if (!handle(context, &next))
            break;
    }
}

/* A signal ends either front end; else the front end says when it is done. */
static bool finished(const struct front_end *front, void *context)
{
    return terminated || front->done(context);
}

void input_loop(const struct front_end *front, void *context)
{
    int cursor_y = -1, cursor_x = -1;
    front->draw(context, &cursor_y, &cursor_x);
    while (!finished(front, context)) {
        struct input_point point = {.cursor_y = cursor_y,
                                    .cursor_x = cursor_x,
                                    .wait_ms = front->wait_ms(context),
                                    .batch_limit = front->batch_limit};
        input_wait(&point, front->event, context);
        if (finished(front, context))
            break;
        /* Timers (store polling, the kiosk's clock and cycle) after every
         * batch, then one frame if anything changed. */
        if (front->after(context))
            front->draw(context, &cursor_y, &cursor_x);
    }
}
