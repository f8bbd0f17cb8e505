"""The project's URLs plus the benchmark's baseline: a plain view returning a fixed
302, through the same settings and middleware as /go/."""

from django.http import HttpResponseRedirect
from django.urls import path

from zhongcao.urls import urlpatterns as project_urlpatterns


def baseline_redirect(request):
    return HttpResponseRedirect("https://www.mingyuehome.cn/item/1")


urlpatterns = [path("bench/baseline", baseline_redirect), *project_urlpatterns]
