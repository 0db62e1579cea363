from kefu.core.assistant.nlu.textfold import fold


def test_fold_is_one_character_for_one() -> None:
    for text in ["親 這個還有貨嗎", "１３８Ｌ碼￥９９", "在吗😊", ""]:
        assert len(fold(text)) == len(text)


def test_fold_maps_full_width_and_traditional() -> None:
    assert fold("親 這個還有貨嗎") == "亲 这个还有货吗"
    assert fold("１３８ＸＬ　￥") == "138XL ¥"
    assert fold("在吗 L码") == "在吗 L码"
