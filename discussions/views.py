from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import services, targets
from .forms import CommentForm


def _target_for(request: HttpRequest, kind: str, pk: int):
    target = targets.get(kind)
    if target is None:
        raise Http404
    obj = get_object_or_404(target.model.objects.select_related(*target.select_related), pk=pk)
    if not target.can_read(request.user, obj):
        raise Http404  # a draft of another team's, say: as if it were not there
    if not target.can_write(request.user, obj):
        raise PermissionDenied("Only the team, its coach, sponsor and forum chair write here.")
    return obj


@login_required
@require_POST
def post_comment(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    obj = _target_for(request, kind, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = services.post(obj, author=request.user, body=form.cleaned_data["body"])
        except services.DiscussionError as e:
            form.add_error("body", str(e))
        else:
            told = comment.mentioned.exclude(pk=request.user.pk).count()
            who = "1 person you mentioned was" if told == 1 else f"{told} people you mentioned were"
            messages.success(request, f"Comment posted; {who} told." if told else "Comment posted.")
            return redirect(f"{obj.get_absolute_url()}#comment-{comment.pk}")
    # What they wrote is kept: the form comes back with it and the reason beside it.
    return render(request, "discussions/retry.html", {"comment_form": form, "object": obj,
                                                      "thread": services.thread(obj, request.user)}, status=400)
