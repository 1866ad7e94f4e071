def test_person_search_by_initials(client, tree, make_user, make_household):
    cadre = make_user("village_cadre", tree.v1)
    make_household(cadre, tree.g1, head_name="张三")
    client.force_login(cadre)
    response = client.get("/people/", {"q": "zs"})
    assert response.status_code == 200
    assert "张三" in response.content.decode()
