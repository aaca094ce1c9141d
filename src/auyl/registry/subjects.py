"""The reference list of school subjects (code, Kazakh, Russian, English).

Loaded by a data migration, so every database (and every test database) has it.
"""

SUBJECTS: tuple[tuple[str, str, str, str], ...] = (
    ("math", "Математика", "Математика", "Mathematics"),
    ("algebra", "Алгебра", "Алгебра", "Algebra"),
    ("geometry", "Геометрия", "Геометрия", "Geometry"),
    ("kazakh", "Қазақ тілі", "Казахский язык", "Kazakh language"),
    ("kazakh_lit", "Қазақ әдебиеті", "Казахская литература", "Kazakh literature"),
    ("russian", "Орыс тілі", "Русский язык", "Russian language"),
    ("russian_lit", "Орыс әдебиеті", "Русская литература", "Russian literature"),
    ("english", "Ағылшын тілі", "Английский язык", "English"),
    ("natural_science", "Жаратылыстану", "Естествознание", "Natural science"),
    ("physics", "Физика", "Физика", "Physics"),
    ("chemistry", "Химия", "Химия", "Chemistry"),
    ("biology", "Биология", "Биология", "Biology"),
    ("geography", "География", "География", "Geography"),
    ("history_kz", "Қазақстан тарихы", "История Казахстана", "History of Kazakhstan"),
    ("world_history", "Дүниежүзі тарихы", "Всемирная история", "World history"),
    ("informatics", "Информатика", "Информатика", "Computer science"),
    ("literacy", "Сауат ашу", "Обучение грамоте", "Literacy"),
    ("art", "Көркем еңбек", "Художественный труд", "Art and crafts"),
    ("music", "Музыка", "Музыка", "Music"),
    ("pe", "Дене шынықтыру", "Физическая культура", "Physical education"),
    ("self_knowledge", "Өзін-өзі тану", "Самопознание", "Self-knowledge"),
    ("law", "Құқық негіздері", "Основы права", "Foundations of law"),
    (
        "military",
        "Алғашқы әскери дайындық",
        "Начальная военная подготовка",
        "Basic military training",
    ),
)
