"""The classroom server's settings: closed pages' kernels culled, a bound on kernels."""
from __future__ import annotations


import pytest
from asyncrun import run_in_own_loop

from helpers import demo


def test_the_demo_culls_closed_pages_kernels_and_bounds_them():
    argv = demo.voila_argv(8866)
    assert f"--MappingKernelManager.cull_idle_timeout={demo.CULL_AFTER_S}" in argv
    assert "--MappingKernelManager.cull_connected=False" in argv  # an open page is never culled
    assert "--VoilaConfiguration.multi_kernel_manager_class=helpers.demo.BoundedKernelManager" in argv
    assert f"--BoundedKernelManager.max_kernels={demo.MAX_KERNELS}" in argv
    off = demo.voila_argv(8866, cull_after=0, max_kernels=0)
    assert not any("cull_idle_timeout" in a for a in off) and "--BoundedKernelManager.max_kernels=0" in off


def test_the_bounded_kernel_manager_refuses_a_kernel_beyond_its_bound():
    from tornado import web

    km = demo.BoundedKernelManager(max_kernels=2)
    km.list_kernel_ids = lambda: ["a", "b"]
    with pytest.raises(web.HTTPError, match="The demo is full") as err:
        run_in_own_loop(lambda: km.start_kernel(kernel_name="python3"))
    assert err.value.status_code == 503


def test_a_full_demo_says_how_long_to_wait_and_what_else_to_do():
    from tornado import web

    km = demo.BoundedKernelManager(max_kernels=2, cull_idle_timeout=120, cull_interval=30)
    km.list_kernel_ids = lambda: ["a", "b"]
    with pytest.raises(web.HTTPError) as err:
        run_in_own_loop(lambda: km.start_kernel(kernel_name="python3"))
    assert err.value.wait_s == 150 and err.value.running == 2 and err.value.bound == 2
    said = err.value.log_message % err.value.args
    assert "Wait about 150 seconds" in said and "JupyterLab" in said
    km_off = demo.BoundedKernelManager(max_kernels=2, cull_idle_timeout=0)
    assert km_off.full_wait_s() == 0
    assert "waiting will not help" in demo.full_message(2, 2, 0)
