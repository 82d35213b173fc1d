import io
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from django.core.exceptions import ValidationError
from django.core.management import call_command

from search import postcodes as pc
from search.models import Postcode


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sr13aa", "SR1 3AA"),
        (" SR1  3AA ", "SR1 3AA"),
        ("sr4", "SR4"),
        ("NE37 1AB", "NE37 1AB"),
        ("ec1a1bb", "EC1A 1BB"),
    ],
)
def test_normalise(raw, expected):
    assert pc.normalise(raw) == expected


@pytest.mark.parametrize("raw", ["", "hello", "SR1 3A", "12345", "QQ1 1AA", "SR1 3AA'; --", "💜"])
def test_invalid_postcodes_get_the_govuk_message(raw):
    with pytest.raises(ValidationError) as error:
        pc.normalise(raw)
    assert error.value.messages == ["Enter a real postcode, like SR1 3AA"]


def test_outcode_of_never_keeps_the_full_postcode():
    assert pc.outcode_of("sr1 3aa") == "SR1"
    assert pc.outcode_of("nonsense") == ""


def test_lookup_table_then_outcode_centroid(postcode_table):
    assert pc.lookup("SR1 3AA").latitude == pytest.approx(54.9058)
    place = pc.lookup("SR4")
    assert place.partial and place.latitude == pytest.approx((54.8990 + 54.8950) / 2)
    unknown_in_known_outcode = pc.lookup("SR4 9ZZ")
    assert unknown_in_known_outcode.partial and unknown_in_known_outcode.label == "SR4"
    assert pc.lookup("TS1 1AA") is None


@pytest.mark.django_db
def test_import_simple_and_onspd_and_codepoint(tmp_path):
    simple = tmp_path / "simple.csv"
    simple.write_text("postcode,latitude,longitude\nsr13aa,54.9058,-1.3815\nbad,1,1\n")
    onspd = tmp_path / "onspd.csv"
    onspd.write_text(
        "pcd,pcd2,pcds,dointr,doterm,lat,long\n"
        "SR2 7EA,SR2  7EA,SR2 7EA,199001,,54.895,-1.375\n"
        "SR2 9ZZ,SR2  9ZZ,SR2 9ZZ,199001,200012,54.1,-1.1\n"
        "SR2 8AB,SR2  8AB,SR2 8AB,199001,,99.999999,0.000000\n"
    )
    codepoint = tmp_path / "codepoint.csv"
    codepoint.write_text('"SR6 0AA",10,439500,558800,"E92000001","","E10000009","E05001143"\n')
    out = io.StringIO()
    for path in (simple, onspd, codepoint):
        call_command("import_postcodes", str(path), stdout=out)
    assert set(Postcode.objects.values_list("postcode", flat=True)) == {"SR1 3AA", "SR2 7EA", "SR6 0AA"}
    roker = Postcode.objects.get(postcode="SR6 0AA")
    # Easting 439500, northing 558800 is in Roker, Sunderland.
    assert roker.latitude == pytest.approx(54.923, abs=0.01) and roker.longitude == pytest.approx(-1.383, abs=0.01)
    call_command("import_postcodes", str(simple), stdout=out)  # re-running updates, never duplicates
    assert Postcode.objects.count() == 3


class _FakePostcodesIo(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/postcodes/SR64AB":
            body, status = (
                {"status": 200, "result": {"postcode": "SR6 4AB", "latitude": 54.93, "longitude": -1.37}},
                200,
            )
        elif self.path == "/outcodes/TS1":
            body, status = {"status": 200, "result": {"outcode": "TS1", "latitude": 54.57, "longitude": -1.23}}, 200
        else:
            body, status = {"status": 404, "error": "Postcode not found"}, 404
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_postcodes_io():
    server = HTTPServer(("127.0.0.1", 0), _FakePostcodesIo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.mark.django_db
def test_postcodes_io_is_off_by_default(settings, fake_postcodes_io):
    settings.POSTCODES_IO_URL = None
    assert pc.lookup("SR6 4AB") is None


@pytest.mark.django_db
def test_postcodes_io_client(settings, fake_postcodes_io):
    settings.POSTCODES_IO_URL = fake_postcodes_io
    place = pc.lookup("sr6 4ab")
    assert (place.latitude, place.longitude) == (54.93, -1.37)
    assert pc.lookup("TS1").partial
    assert pc.lookup("SR6 9ZZ") is None


@pytest.mark.django_db
def test_postcodes_io_down_is_unknown_not_an_error(settings):
    settings.POSTCODES_IO_URL = "http://127.0.0.1:9"
    assert pc.lookup("SR6 4AB") is None
