"""Server-side fetch safety: what a pasted link may make the server connect to.

Every refusal is shown on the capture page, next to the link, in words a person can act
on; nothing is saved.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from crm.capture.fetch import FetchRefused, check_url, fetch
from crm.models import JobApplication

pytestmark = pytest.mark.django_db


def capture(client, url: str):
    return client.post(reverse("crm:capture"), {"url": url})


def refusal_on_page(response) -> str:
    assert response.status_code == 200
    return response.context["form"].errors["url"][0]


def test_a_redirect_to_loopback_is_refused_with_a_message(
    alice_client, capture_settings, posting_server
):
    response = capture(alice_client, f"{posting_server.base}/to-loopback")

    message = refusal_on_page(response)
    assert "127.0.0.1" in message and "loopback" in message
    assert message in response.content.decode()
    assert not JobApplication.objects.exists()


def test_a_redirect_to_the_cloud_metadata_address_is_refused(
    alice_client, capture_settings, posting_server
):
    response = capture(alice_client, f"{posting_server.base}/to-metadata")

    assert "169.254.169.254, a cloud metadata address" in refusal_on_page(response)


def test_loopback_itself_is_refused_when_not_allowed(
    alice_client, capture_settings, posting_server
):
    before = len(posting_server.requests)

    response = capture(alice_client, f"http://127.0.0.1:{posting_server.port}/jobs/backend")

    assert "loopback" in refusal_on_page(response)
    assert len(posting_server.requests) == before  # refused before connecting


def test_a_20_megabyte_page_is_refused_while_it_streams(
    alice_client, capture_settings, posting_server
):
    response = capture(alice_client, f"{posting_server.base}/big")

    assert "larger than 5 MB" in refusal_on_page(response)


def test_a_page_that_declares_20_megabytes_is_refused_before_reading(
    capture_settings, posting_server
):
    with pytest.raises(FetchRefused, match="larger than 5 MB"):
        fetch(f"{posting_server.base}/big-declared")


def test_a_redirect_loop_is_refused(alice_client, capture_settings, posting_server):
    response = capture(alice_client, f"{posting_server.base}/loop/a")

    assert "redirects in a loop" in refusal_on_page(response)


def test_more_than_three_redirects_are_refused(capture_settings, posting_server):
    with pytest.raises(FetchRefused, match="more than 3 times"):
        fetch(f"{posting_server.base}/hops/1")


def test_two_redirects_are_followed(capture_settings, posting_server):
    page = fetch(f"{posting_server.base}/two-hops")

    assert page.url == f"{posting_server.base}/jobs/backend"
    assert "Senior Backend Engineer" in page.text


def test_a_slow_site_times_out_with_a_message(capture_settings, posting_server):
    capture_settings.CAPTURE_TIMEOUT_SECONDS = 1

    with pytest.raises(FetchRefused, match="did not answer within 1 seconds"):
        fetch(f"{posting_server.base}/slow")


def test_a_link_that_is_not_a_web_page_is_refused(capture_settings, posting_server):
    with pytest.raises(FetchRefused, match="not a web page .it is application/pdf"):
        fetch(f"{posting_server.base}/pdf")


def test_an_error_status_is_reported(capture_settings, posting_server):
    with pytest.raises(FetchRefused, match="answered 404"):
        fetch(f"{posting_server.base}/gone")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/job", "Only http:// and https:// links"),
        ("file:///etc/passwd", "Only http:// and https:// links"),
        ("javascript:alert(1)", "Only http:// and https:// links"),
        ("https://user:secret@example.com/job", "user name or password"),
        ("https://user@example.com/job", "user name or password"),
        ("http://10.0.0.8/job", "private network"),
        ("http://192.168.1.1/", "private network"),
        ("http://172.16.5.5/", "private network"),
        ("http://[::1]/", "loopback"),
        ("http://127.1/", "loopback"),
        ("http://0.0.0.0/", "not public"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
        ("http://169.254.10.1/", "link-local"),
        ("http://224.0.0.1/", "not public"),
        ("http://100.64.0.1/", "not public"),
        ("http://example.com:99999/", "not a valid web address"),
        ("http:///nohost", "no host name"),
    ],
)
def test_internal_and_malformed_links_are_refused_before_any_connection(
    capture_settings, url, message
):
    with pytest.raises(FetchRefused, match=message):
        check_url(url)


def test_the_refusal_is_shown_on_the_page_and_nothing_is_saved(alice_client, capture_settings):
    response = capture(alice_client, "http://10.1.2.3/careers")

    assert "private network address" in refusal_on_page(response)
    assert "Fill in the form by hand" in response.content.decode()
    assert not JobApplication.objects.exists()


def test_a_checked_address_is_the_one_connected_to_with_the_host_name_kept(
    capture_settings, posting_server
):
    # No allowed host: `localhost` is resolved and checked (its range allowed here), and
    # the connection goes to that address, so a second DNS answer cannot redirect it.
    capture_settings.CAPTURE_ALLOWED_HOSTS = []
    capture_settings.CAPTURE_ALLOWED_NETWORKS = ["127.0.0.0/8"]

    page = fetch(f"http://localhost:{posting_server.port}/one-hop")

    assert "Senior Backend Engineer" in page.text
    assert page.url == f"http://localhost:{posting_server.port}/jobs/backend"
    assert posting_server.hosts[-2:] == [f"localhost:{posting_server.port}"] * 2


def test_an_allowed_network_does_not_open_the_metadata_address(capture_settings, posting_server):
    capture_settings.CAPTURE_ALLOWED_HOSTS = []
    capture_settings.CAPTURE_ALLOWED_NETWORKS = ["127.0.0.0/8"]

    with pytest.raises(FetchRefused, match="cloud metadata"):
        fetch(f"http://localhost:{posting_server.port}/to-metadata")


def test_an_international_host_name_is_checked_in_its_ascii_form(capture_settings):
    with pytest.raises(FetchRefused, match="xn--bcher-kva.invalid does not resolve"):
        check_url("https://bücher.invalid/jobs/1")
