"""Comments as real pages hold them: the 2023 server-rendered kiwi block (STRUCTURE.md §1.7),
its empty form, the evidence needed for "unavailable", and v1 replies in any wrapper."""

from __future__ import annotations

from migrator.parse import parse_page

URL = "http://cuisine.over-blog.com/2023/10/tarte-aux-quetsches.html"

PAGE = """<!DOCTYPE html><html lang="fr"><head><title>Tarte aux quetsches - Cuisine</title>
<!-- Basic theme id 90 [Noodle] - last modified : 2023-09-12T11:45:37+02:00 -->
<meta property="og:type" content="article" /></head><body class="Body">
<div class="Content Content--page"><div class="Content-main"><div class="Post Post--OB">
<h1 class="Post-title">Tarte aux quetsches</h1><p class="Post-date">16 Octobre 2023</p>
<div class="Post-body"><div class="ob-sections"><div class="ob-section ob-section-text">
<div class="ob-text"><p>La saison des quetsches.</p></div></div></div></div>
<div class="Post-comments"><div class="ob-h3 Title">Commenter cet article</div>
<div id="ob-comments">
  <button class="ob-button-primary" disabled>Ajouter un commentaire</button>
  <div class="ob-list">{items}</div>
</div></div>
<script>ob.initCommentApp(document.querySelector("#ob-comments"), {{"postID":118722341,
"I18N":{{"more_comments":"Charger plus de commentaires","more_replies":"Charger plus de
r\\u00e9ponses"}}}});</script>
</div></div></div></body></html>"""


def comment(ident: int, initial: str, name: str, date: str, text: str, replies: str = "") -> str:
    return f"""
    <div class="ob-comment" id="ob-comment-{ident}">
      <div class="ob-user-avatar"><span class="ob-user-initial">{initial}</span></div>
      <div class="ob-comment-content">
        <div class="ob-message">
          <div class="ob-metadata">
            <div class="ob-user"><span class="ob-name">{name}</span></div>
            <span class="ob-date">{date}</span>
          </div>
          <div class="ob-text">{text}</div>
        </div>
        <a class="ob-reply-link" disabled>Répondre</a>
        {replies}
      </div>
    </div>"""


FOUR_COMMENTS = (
    comment(1, "M", "Martine", "16/10/2023 18:17", "Bravo, elle a l&#039;air d&#233;licieuse",
            '<div class="ob-comment-replies">'
            + comment(2, "C", "Cuisine de Mamie", "16/10/2023 20:02", "Merci Martine !")
            + "</div>")
    + comment(3, "P", "Paul", "17/10/2023 07:45", "Et avec des mirabelles ?",
              '<div class="ob-comment-replies">'
              + comment(4, "C", "Cuisine de Mamie", "17/10/2023 09:10", "Aussi, bien sûr.")
              + "</div>")
)


def test_2023_comments_with_replies_are_read_from_the_html() -> None:
    article = parse_page(URL, PAGE.format(items=FOUR_COMMENTS))
    assert article is not None
    assert article.comments_status == "complete"
    assert [(c.author, c.published, [r.author for r in c.replies]) for c in article.comments] == [
        ("Martine", "2023-10-16T18:17:00+02:00", ["Cuisine de Mamie"]),
        ("Paul", "2023-10-17T07:45:00+02:00", ["Cuisine de Mamie"]),
    ]
    assert article.comments[0].body_html == "Bravo, elle a l'air délicieuse"
    assert article.comments[0].replies[0].published == "2023-10-16T20:02:00+02:00"
    assert article.comments[1].replies[0].body_html == "Aussi, bien sûr."
    assert article.comment_count() == 4


def test_replies_placed_after_their_comment_are_attached_to_it() -> None:
    items = (comment(1, "M", "Martine", "16/10/2023 18:17", "Premier")
             + '<div class="ob-comment-replies">'
             + comment(2, "C", "Mamie", "16/10/2023 20:02", "Réponse") + "</div>"
             + comment(3, "P", "Paul", "17/10/2023 07:45", "Second"))
    article = parse_page(URL, PAGE.format(items=items))
    assert [(c.author, [r.body_html for r in c.replies]) for c in article.comments] == [
        ("Martine", ["Réponse"]), ("Paul", [])]


def test_an_empty_list_means_no_comments_not_unavailable() -> None:
    article = parse_page(URL, PAGE.format(items=""))
    assert article.comments == []
    assert article.comments_status == "complete"
    assert not any("comments" in w for w in article.warnings)


def test_a_load_more_control_is_evidence_of_comments_outside_the_html() -> None:
    items = FOUR_COMMENTS + '<button class="ob-more">Charger plus de commentaires</button>'
    article = parse_page(URL, PAGE.format(items=items))
    assert article.comment_count() == 4
    assert article.comments_status == "unavailable"


def test_a_printed_count_above_the_rendered_comments_is_evidence() -> None:
    html = PAGE.format(items=FOUR_COMMENTS).replace(
        '<h1 class="Post-title">',
        '<span id="comment-count-118722341">9 commentaires</span><h1 class="Post-title">')
    assert parse_page(URL, html).comments_status == "unavailable"
    # A placeholder that JavaScript fills (the Twenty Eleven sample shows "…") is no evidence.
    html = html.replace("9 commentaires", "…")
    assert parse_page(URL, html).comments_status == "complete"


def test_the_widget_without_its_list_is_unavailable() -> None:
    html = PAGE.format(items="").replace('<div class="ob-list"></div>', "")
    article = parse_page(URL, html)
    assert article.comments == []
    assert article.comments_status == "unavailable"


V1 = """<html><head><title>La fontaine - Le vieux grimoire</title></head><body>
<div class="article" id="article1">
<div class="divTitreArticle"><h2><a class="titreArticle" href="/article-la-fontaine-123.html"
 title="La fontaine">La fontaine</a></h2></div>
<div class="option beforeArticle"><div class="date">Mercredi 3 octobre 2012</div></div>
<div class="contenuArticle"><p>La fontaine du village.</p></div>
<div class="option afterArticle"><span class="publishedBy">par Gérard</span></div>
</div>
<div id="anchorComment"></div><h2 class="h2commentMessage" id="c">Commentaires</h2>
<div class="commentContainer" id="com123">
  <div class="commentMessage"><p>Très jolie fontaine !</p></div>
  <div class="commentOption">Commentaire n°1 posté par <a href="http://marie.over-blog.com">Marie</a>
   le 04/10/2012 à 09h15</div>
  {reply}
</div>
<div class="commentContainer" id="com124">
  <div class="commentMessage">Elle coule encore ?</div>
  <div class="commentOption">Commentaire n°2 posté par Paul le 28/03/2013 à 21h05</div>
</div>
<div id="anchorEndComment"></div></body></html>"""

V1_URL = "http://vieux-grimoire.over-blog.fr/article-la-fontaine-123.html"


def _v1_shape(reply_markup: str) -> list[tuple]:
    article = parse_page(V1_URL, V1.format(reply=reply_markup))
    assert article is not None and article.family == "v1"
    return [(c.author, c.url, c.published, c.body_html,
             [(r.author, r.published, r.body_html) for r in c.replies])
            for c in article.comments]


EXPECTED_V1 = [
    ("Marie", "http://marie.over-blog.com", "2012-10-04T09:15:00+02:00",
     "<p>Très jolie fontaine !</p>",
     [("Gérard", "2012-10-04T18:40:00+02:00", "<p>Merci Marie.</p>")]),
    ("Paul", None, "2013-03-28T21:05:00+01:00", "Elle coule encore ?", []),
]


def test_v1_reply_in_a_comment_answer_wrapper() -> None:
    wrapper = """<div class="commentAnswer">
      <div class="commentMessage"><p>Merci Marie.</p></div>
      <div class="commentOption">Réponse de Gérard le 04/10/2012 à 18h40</div>
    </div>"""
    assert _v1_shape(wrapper) == EXPECTED_V1


def test_v1_reply_wrapper_with_a_bare_line() -> None:
    wrapper = """<div class="commentAnswer"><p>Merci Marie.</p>
      <span>Réponse de Gérard le 04/10/2012 à 18h40</span></div>"""
    assert _v1_shape(wrapper) == EXPECTED_V1


def test_v1_reply_nested_as_a_container_still_works() -> None:
    nested = """<div class="commentContainer reply">
      <div class="commentMessage"><p>Merci Marie.</p></div>
      <div class="commentOption">Réponse de Gérard le 04/10/2012 à 18h40</div></div>"""
    assert _v1_shape(nested) == EXPECTED_V1
