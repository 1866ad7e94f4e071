"""A third-party Open311 client works against the live server unchanged.

``georeport`` 0.3.1 (PyPI; Python 3.9–3.13) is used exactly as published: services, service definitions, GET
requests and GET request, in JSON and in XML. It cannot POST ("does not currently support the creation of new
311 service requests") and never sends an api_key with a GET, so the POST is made with ``requests`` exactly as
the specification's example request (form-encoded, api_key in the body). The other client on PyPI, ``open311``
1.1 (2011), is Python 2 only (``from api import API``: implicit relative imports) and cannot be imported on
Python 3.

Every JSON answer is also checked against the community's Swagger description
(../shared/specs/open311/georeport-v2.swagger.json), made strict: no property it does not define."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import requests
from georeport import GeoReport

from shanzhi.events.models import Event

from .conftest import INSIDE_G1

# shared/ lies beside the checkout (here and in CI).
SWAGGER = Path(__file__).resolve().parents[4] / "shared" / "specs" / "open311" / "georeport-v2.swagger.json"


def _definitions() -> dict:
    definitions = json.loads(SWAGGER.read_text(encoding="utf-8"))["definitions"]
    for schema in definitions.values():  # strict: nothing outside the specification
        schema["additionalProperties"] = False
    return definitions


def check(value: object, name: str) -> None:
    definitions = _definitions()
    schema = {**definitions[name], "definitions": definitions}
    jsonschema.validate(value, schema)


def test_swagger_strictness_catches_a_foreign_field():
    with pytest.raises(jsonschema.ValidationError):
        check(
            {"service_code": "A", "service_name": "a", "type": "realtime", "reporter_phone": "138"}, "Service"
        )
    with pytest.raises(jsonschema.ValidationError):
        check({"service_code": "A", "service_name": "a", "type": "sometimes"}, "Service")


def test_georeport_client_against_the_live_server(live_server, o311):
    root = f"{live_server.url}/open311/v2"
    client = GeoReport(root, jurisdiction="419001")

    services = client.get_service_list()
    assert [s["service_code"] for s in services] == ["GM-01", "GM-02"]
    for service in services:
        check(service, "Service")
    definition = client.get_service_definition("GM-01")
    check(definition, "ServiceDefinition")
    assert definition["attributes"][0]["code"] == "place"

    # POST Service Request as the specification's example does it (georeport cannot POST).
    lat, lng = INSIDE_G1
    response = requests.post(
        f"{root}/requests.json",
        data={
            "api_key": o311.raw,
            "jurisdiction_id": "419001",
            "service_code": "GM-01",
            "lat": lat,
            "long": lng,
            "address_string": "东坡村三组桥头",
            "email": "zhang@example.cn",
            "device_id": "tt222111",
            "account_id": "123456",
            "first_name": "三",
            "last_name": "张",
            "phone": "13812345678",
            "description": "排水沟堵塞，污水漫到路面",
            "media_url": "https://img.example.cn/1.jpg",
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    (created,) = response.json()
    check(created, "RequestResponse")
    number = created["service_request_id"]
    assert Event.objects.get(number=number).place == o311.tree.g1

    rows = client.get_service_requests()
    assert [r["service_request_id"] for r in rows] == [number]
    for row in rows:
        check(row, "Request")
        assert "13812345678" not in json.dumps(row, ensure_ascii=False)
    assert client.get_service_requests(status="closed") == []
    assert client.get_service_requests(service_request_id=number)[0]["status"] == "open"
    single = client.get_service_request(number)
    check(single, "Request")
    assert single["service_code"] == "GM-01" and single["requested_datetime"].endswith("+08:00")

    xml = GeoReport(root, output_format="xml")  # one jurisdiction served: jurisdiction_id may be left out
    assert [s["service_code"] for s in xml.get_service_list()] == ["GM-01", "GM-02"]
    assert xml.get_service_definition("GM-02")["attributes"]["attribute"][0]["code"] == "place"
    assert xml.get_service_request(number)["service_request_id"] == number
    assert xml.get_service_requests(status="open")["status"] == "open"  # xmltodict: one element, no list

    # The key's account reads the full request (description, place) with the key; the client library cannot.
    full = requests.get(f"{root}/requests/{number}.json", params={"api_key": o311.raw}, timeout=30).json()[0]
    check(full, "Request")
    assert full["description"] == "排水沟堵塞，污水漫到路面" and full["address_id"] == o311.tree.g1.code

    discovery = requests.get(f"{live_server.url}/open311/discovery.json", timeout=30).json()
    assert discovery["endpoints"][0]["url"] == f"{live_server.url}/open311/v2/"

    with pytest.raises(requests.HTTPError) as refused:
        GeoReport(root, jurisdiction="110101").get_service_list()
    assert refused.value.response.status_code == 404
