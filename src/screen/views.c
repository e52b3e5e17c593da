/* views.c — the machinery of views and overlays: a layout is a list of
 * views drawn in order; overlays are {draw, key} screens on a stack above
 * them (see screen_internal.h for how to add one). */
#include "screen_internal.h"

void overlay_push(struct overlay_stack *stack, const struct overlay_screen *screen)
{
    if (stack->depth < OVERLAY_DEPTH)
        stack->screens[stack->depth++] = screen;
}

void overlay_pop(struct overlay_stack *stack)
{
    if (stack->depth > 0)
        stack->screens[--stack->depth] = NULL;
}

const struct overlay_screen *overlay_top(const struct overlay_stack *stack)
{
    return stack->depth > 0 ? stack->screens[stack->depth - 1] : NULL;
}

void overlay_draw_all(const struct overlay_stack *stack, void *context, int *cursor_y,
                      int *cursor_x)
{
    for (int i = 0; i < stack->depth; i++) {
        int y = -1, x = -1;
        stack->screens[i]->draw(context, stack->screens[i], &y, &x);
        if (i == stack->depth - 1) {
            *cursor_y = y;
            *cursor_x = x;
        }
    }
}

void views_draw(const struct view *const *views, size_t count, void *context)
{
    for (size_t i = 0; i < count; i++)
        if (views[i]->draw)
            views[i]->draw(context);
}

void views_select(const struct view *const *views, size_t count, void *context)
{
    for (size_t i = 0; i < count; i++)
        if (views[i]->select)
            views[i]->select(context);
}
