"""The demo trust's people and organisation (seed_demo step 10).

A believable NHS mental-health and community trust: two boroughs' mental
health services, community health services, specialist services and corporate
services; wards, community teams and GP practices; the strategy's four
objectives and this year's annual priorities; coaches, sponsors, Improvement
Advisors, forum chairs with service-user co-chairs, board members and the
eight log-in personas. `--scale N` makes it look like a big trust or a region: directorates
in the tens (5 + N/10, at most 30), and N-1 more sets of teams with their people, coaches and a
sponsor spread over them; Improvement Advisors grow with the coaches (12 each). In bulk.
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.text import slugify

from .models import (
    AnnualPriority,
    CoachProfile,
    Directorate,
    DirectorateKind,
    ExternalOrganisation,
    LivedExperience,
    Role,
    RoleAssignment,
    StrategicObjective,
    Team,
    TeamKind,
    User,
)
from .seeding import DemoContext

STRATEGY_PERIOD = "2024–2029"
OBJECTIVES = [
    ("Improved population health outcomes", "Work with partners so that the communities we serve live longer, healthier lives."),
    ("Improved experience of care", "Care that service users, carers and families describe as safe, kind and joined up."),
    ("Improved staff experience", "Staff who enjoy work, feel listened to and have the time and skills to improve it."),
    ("Improved value", "Spend every pound on what matters most, removing waste and duplication."),
]
PRIORITIES = [
    ("Reducing restrictive practice on inpatient wards", 1, True),
    ("Improving access: shorter waits for community services", 0, True),
    ("Physical health of people with serious mental illness", 0, False),
    ("Joy in work: reducing staff turnover in the first year", 2, False),
]

# (name, slug, kind, teams: [(name, kind, site)])
DIRECTORATES = [
    ("Riverside Mental Health", "riverside-mh", DirectorateKind.MENTAL_HEALTH, [
        ("Willow Ward", TeamKind.WARD, "Riverside Centre"),
        ("Rowan Ward", TeamKind.WARD, "Riverside Centre"),
        ("Cedar Ward (PICU)", TeamKind.WARD, "Riverside Centre"),
        ("Larch Ward (older adults)", TeamKind.WARD, "Riverside Centre"),
        ("Riverside North Community Mental Health Team", TeamKind.COMMUNITY, "Dock Street"),
        ("Riverside Early Intervention in Psychosis", TeamKind.COMMUNITY, "Dock Street"),
        ("Riverside Home Treatment Team", TeamKind.COMMUNITY, "Riverside Centre"),
    ]),
    ("Northgate Mental Health", "northgate-mh", DirectorateKind.MENTAL_HEALTH, [
        ("Hazel Ward", TeamKind.WARD, "Northgate Hospital"),
        ("Aspen Ward", TeamKind.WARD, "Northgate Hospital"),
        ("Birch Ward (mother and baby)", TeamKind.WARD, "Northgate Hospital"),
        ("Northgate Assessment and Brief Treatment", TeamKind.COMMUNITY, "Market Road"),
        ("Northgate Perinatal Mental Health", TeamKind.COMMUNITY, "Market Road"),
        ("Northgate Crisis Line", TeamKind.COMMUNITY, "Northgate Hospital"),
    ]),
    ("Westshire Community Health", "westshire-ch", DirectorateKind.COMMUNITY_HEALTH, [
        ("Westshire District Nursing (North)", TeamKind.COMMUNITY, "Abbey Health Centre"),
        ("Westshire District Nursing (South)", TeamKind.COMMUNITY, "Mill Lane Clinic"),
        ("Podiatry Service", TeamKind.COMMUNITY, "Mill Lane Clinic"),
        ("Children's Speech and Language Therapy", TeamKind.COMMUNITY, "Abbey Health Centre"),
        ("Orchard Rehabilitation Ward", TeamKind.WARD, "Westshire Community Hospital"),
        ("Abbey Surgery", TeamKind.GP_PRACTICE, "Abbey Health Centre"),
        ("Mill Lane Medical Practice", TeamKind.GP_PRACTICE, "Mill Lane Clinic"),
    ]),
    ("Specialist Services", "specialist", DirectorateKind.MENTAL_HEALTH, [
        ("Oak Ward (forensic medium secure)", TeamKind.WARD, "Beacon Unit"),
        ("Elm Ward (forensic low secure)", TeamKind.WARD, "Beacon Unit"),
        ("Specialist Addictions Service", TeamKind.COMMUNITY, "Harbour House"),
        ("Eating Disorders Service", TeamKind.COMMUNITY, "Harbour House"),
    ]),
    ("Corporate Services", "corporate", DirectorateKind.CORPORATE, [
        ("People and Culture (HR)", TeamKind.CORPORATE, "Trust Headquarters"),
        ("Finance", TeamKind.CORPORATE, "Trust Headquarters"),
        ("Estates and Facilities", TeamKind.CORPORATE, "Trust Headquarters"),
        ("Pharmacy", TeamKind.CORPORATE, "Riverside Centre"),
        ("Digital and Informatics", TeamKind.CORPORATE, "Trust Headquarters"),
        ("Quality Improvement Department", TeamKind.CORPORATE, "Trust Headquarters"),
    ]),
]

FIRST = ["Amara", "Ben", "Chloe", "Dev", "Ellie", "Farah", "George", "Hana", "Idris", "Jade", "Kwame", "Laila", "Marek", "Nadia", "Owen", "Priya", "Quentin", "Rosa", "Samir", "Tara", "Umar", "Vera", "Wes", "Xin", "Yusuf", "Zara", "Aisha", "Bilal", "Ciara", "Dami", "Ewa", "Femi", "Grace", "Hamza", "Ines", "Jon", "Kofi", "Lucy", "Mo", "Nia", "Olu", "Pat", "Ruth", "Sean", "Tunde", "Uma", "Vik", "Will", "Yara", "Zoe"]
LAST = ["Adeyemi", "Begum", "Campbell", "Da", "Silva", "Evans", "Fischer", "Green", "Hussain", "Ibrahim", "Jones", "Khan", "Lewis", "Mensah", "Nowak", "Okafor", "Patel", "Quinn", "Rahman", "Singh", "Taylor", "Uddin", "Varga", "Walsh", "Xu", "Young", "Zielinski", "Ahmed", "Brown", "Chowdhury", "Dixon", "Eze", "Flynn", "Gordon", "Hall", "Islam", "Jackson", "Kaur", "Lopez", "Miah", "O'Brien"]

PERSONAS = {
    # key: (username, display name, job title, team index (directorate, team), roles, lived experience)
    "staff": ("staff", "Sam Okafor", "Ward manager", (0, 0), [Role.STAFF], ""),
    "serviceuser": ("serviceuser", "Robin Hale", "Peer support volunteer", (0, 0), [Role.SERVICE_USER], LivedExperience.SERVICE_USER),
    "coach": ("coach", "Chris Adeyemi", "Occupational therapist and QI coach", (0, 4), [Role.STAFF, Role.COACH], ""),
    "sponsor": ("sponsor", "Morgan Patel", "Service director", (0, 6), [Role.STAFF], ""),
    "ia": ("ia", "Alex Nowak", "Improvement Advisor", (4, 5), [Role.STAFF, Role.IMPROVEMENT_ADVISOR], ""),
    "chair": ("chair", "Dr Jordan Rahman", "Clinical director", (0, 6), [Role.STAFF], ""),
    "board": ("board", "Pat Campbell", "Chief nurse (executive director)", (4, 0), [Role.STAFF, Role.BOARD], ""),
    "qiadmin": ("qiadmin", "Lee Walsh", "QI programme manager", (4, 5), [Role.STAFF, Role.QI_ADMIN], ""),
}


def seed_organisation(ctx: DemoContext) -> None:
    with transaction.atomic():
        objectives = _objectives()
        _priorities(objectives, ctx.today.year)
        for name in ("Westshire County Council", "Riverside Carers' Network", "Northgate GP Federation",
                     "Mind in Riverside"):
            ExternalOrganisation.objects.get_or_create(name=name)
        directorates, teams = _base_directorates()
        people = _base_people(ctx, directorates, teams)
        ctx.data.update(directorates=directorates, teams=teams, people=people, objectives=objectives)
        if ctx.scale > 1:
            scaled = _scaled_directorates(ctx)
            ias = list(User.objects.filter(role_assignments__role=Role.IMPROVEMENT_ADVISOR).order_by("pk"))
            for copy in range(2, ctx.scale + 1):
                _scaled_copy(ctx, copy, scaled, (copy - 2) % len(scaled), ias)
    ctx.out(f"organisation: {Directorate.objects.count()} directorates, {Team.objects.count()} teams, "
            f"{User.objects.count()} people")


def _objectives() -> list[StrategicObjective]:
    out = []
    for order, (name, description) in enumerate(OBJECTIVES):
        obj, _ = StrategicObjective.objects.get_or_create(
            strategy_period=STRATEGY_PERIOD, name=name, defaults={"description": description, "order": order}
        )
        out.append(obj)
    return out


def _priorities(objectives: list[StrategicObjective], year: int) -> None:
    for name, objective_index, programme in PRIORITIES:
        AnnualPriority.objects.get_or_create(
            year=year, name=name,
            defaults={"objective": objectives[objective_index], "large_scale_programme": programme},
        )


def _base_directorates() -> tuple[list[Directorate], list[list[Team]]]:
    directorates, teams = [], []
    for name, slug, kind, team_specs in DIRECTORATES:
        d, _ = Directorate.objects.get_or_create(slug=slug, defaults={"name": name, "kind": kind})
        directorates.append(d)
        row = []
        for team_name, team_kind, site in team_specs:
            t, _ = Team.objects.get_or_create(directorate=d, name=team_name, defaults={"kind": team_kind, "site": site})
            row.append(t)
        teams.append(row)
    return directorates, teams


def _person(username: str, name: str, title: str, team: Team, *, lived: str = "", demo: bool = False,
            password: str = "!") -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "display_name": name, "job_title": title, "team": team, "directorate": team.directorate,
            "email": f"{username}@example.nhs.uk", "lived_experience": lived, "is_demo_persona": demo,
            "password": password,
        },
    )
    return user


def _grant(user: User, role: str, directorate: Directorate | None = None) -> None:
    RoleAssignment.objects.get_or_create(user=user, role=role, directorate=directorate)


def _base_people(ctx: DemoContext, directorates: list[Directorate], teams: list[list[Team]]) -> dict:
    demo_password = make_password("demo")
    people: dict[str, object] = {}
    for key, (username, name, title, (d, t), roles, lived) in PERSONAS.items():
        user = _person(username, name, title, teams[d][t], lived=lived, demo=True, password=demo_password)
        for role in roles:
            _grant(user, role)
        people[key] = user
    # Directorate-level roles of the personas.
    _grant(people["chair"], Role.FORUM_CHAIR, directorates[0])
    _grant(people["serviceuser"], Role.FORUM_CO_CHAIR, directorates[0])
    _grant(people["sponsor"], Role.SPONSOR, directorates[0])
    Directorate.objects.filter(pk=directorates[0].pk, clinical_director=None).update(clinical_director=people["chair"])
    Directorate.objects.filter(pk=directorates[0].pk, service_director=None).update(service_director=people["sponsor"])

    rng = ctx.rng
    names = iter(_names(rng))
    ias = [people["ia"]]
    for i in range(2):
        ia = _person(f"ia{i + 2}", next(names), "Improvement Advisor", teams[4][5])
        _grant(ia, Role.STAFF)
        _grant(ia, Role.IMPROVEMENT_ADVISOR)
        ias.append(ia)
    people["ias"] = ias

    chairs, sponsors = {0: people["chair"]}, {0: [people["sponsor"]]}
    for d_index, directorate in enumerate(directorates):
        leaders = teams[d_index]
        if d_index != 0:
            cd = _person(f"cd.{directorate.slug}", "Dr " + next(names), "Clinical director", leaders[0])
            sd = _person(f"sd.{directorate.slug}", next(names), "Service director", leaders[-1])
            for u in (cd, sd):
                _grant(u, Role.STAFF)
            _grant(cd, Role.FORUM_CHAIR, directorate)
            _grant(sd, Role.SPONSOR, directorate)
            Directorate.objects.filter(pk=directorate.pk, clinical_director=None).update(clinical_director=cd)
            Directorate.objects.filter(pk=directorate.pk, service_director=None).update(service_director=sd)
            chairs[d_index] = cd
            sponsors[d_index] = [sd]
            co = _person(f"cochair.{directorate.slug}", next(names), "Service user partner", leaders[0],
                         lived=LivedExperience.SERVICE_USER if d_index % 2 else LivedExperience.CARER)
            _grant(co, Role.SERVICE_USER)
            _grant(co, Role.FORUM_CO_CHAIR, directorate)
        for m in range(2):
            manager = _person(f"manager{m + 1}.{directorate.slug}", next(names),
                              "Associate director" if m == 0 else "Borough lead nurse", leaders[m % len(leaders)])
            _grant(manager, Role.STAFF)
            _grant(manager, Role.SPONSOR, directorate)
            sponsors[d_index].append(manager)
    people["chairs"], people["sponsors"] = chairs, sponsors

    # Coaches: three or four per directorate, with varied hours and load limits.
    coaches = [people["coach"]]
    CoachProfile.objects.get_or_create(user=people["coach"], defaults={"hours_per_week": 3, "max_teams": 2,
                                                                      "supervisor": ias[0]})
    titles = ["Staff nurse", "Clinical psychologist", "Occupational therapist", "Pharmacist",
              "Healthcare assistant", "Physiotherapist", "Social worker", "Administrator", "Consultant psychiatrist"]
    n = 0
    for row in teams:
        for c in range(3):
            n += 1
            coach = _person(f"coach{n}", next(names), f"{titles[n % len(titles)]} and QI coach", row[c % len(row)])
            _grant(coach, Role.STAFF)
            _grant(coach, Role.COACH)
            CoachProfile.objects.get_or_create(user=coach, defaults={
                "hours_per_week": [2, 2, 3, 4][n % 4], "max_teams": 1 if n % 5 == 0 else 2,
                "supervisor": ias[n % len(ias)]})
            coaches.append(coach)
    people["coaches"] = coaches

    # Board: executives and non-executives.
    board = [people["board"]]
    for i, title in enumerate(["Chief executive", "Chair of the trust", "Chief medical officer",
                               "Non-executive director", "Director of finance"]):
        member = _person(f"board{i + 2}", next(names), title, teams[4][0])
        _grant(member, Role.STAFF)
        _grant(member, Role.BOARD)
        board.append(member)
    people["board_members"] = board

    # Front-line staff and service users in every team, so project teams can be drawn from them.
    frontline = ["Staff nurse", "Healthcare assistant", "Charge nurse", "Psychologist", "Occupational therapist",
                 "Support worker", "Team administrator", "Consultant", "Pharmacist", "Physiotherapist"]
    staff_by_team: dict[int, list[User]] = {}
    k = 0
    for row in teams:
        for team in row:
            for _j in range(3):
                k += 1
                u = _person(f"staff{k}", next(names), frontline[k % len(frontline)], team)
                _grant(u, Role.STAFF)
                staff_by_team.setdefault(team.pk, []).append(u)
    staff_by_team.setdefault(people["staff"].team_id, []).insert(0, people["staff"])
    people["staff_by_team"] = staff_by_team
    service_users = [people["serviceuser"]]
    for i in range(8):
        u = _person(f"expert{i + 1}", next(names), "Service user partner" if i % 3 else "Carer representative",
                    teams[i % 4][0], lived=LivedExperience.CARER if i % 3 == 0 else LivedExperience.SERVICE_USER)
        _grant(u, Role.SERVICE_USER)
        service_users.append(u)
    people["service_users"] = service_users
    partners = []
    for i, org in enumerate(ExternalOrganisation.objects.all()):
        u, _ = User.objects.get_or_create(username=f"partner{i + 1}", defaults={
            "display_name": next(names), "job_title": "Partner", "external_organisation": org,
            "email": f"partner{i + 1}@example.org", "password": "!"})
        partners.append(u)
    people["partners"] = partners
    return people


def _names(rng) -> list[str]:
    combos = [f"{f} {last}" for f in FIRST for last in LAST]
    rng.shuffle(combos)
    return combos


# Places for the directorates a scaled trust adds: a big trust or a region has tens of directorates (a real
# trust 10-40), not hundreds, so growth goes into teams, people and projects within them.
PLACES = ["Eastbrook", "Southmoor", "Kingsley", "Ashford Vale", "Harrowgate", "Millbrook", "Stonebridge",
          "Fenwick", "Greyfriars", "Lowther", "Marston", "Oakhampton", "Redcliffe", "Sandown", "Thornbury",
          "Upton", "Wexcombe", "Yardley", "Bramhall", "Copperfield", "Dunmore", "Elmstead", "Foxley", "Glenford",
          "Hartwell"]
MAX_DIRECTORATES = len(DIRECTORATES) + len(PLACES)  # 30
COACHES_PER_IA = 12  # the source trust: 18 in the central team for 200+ coaches; an IA supervises 10-15


def directorate_count(scale: int) -> int:
    """5 at scale 1, one more per 10 of scale, at most 30 (scale 250 -> 30)."""
    return min(MAX_DIRECTORATES, len(DIRECTORATES) + (scale + 8) // 10 if scale > 1 else len(DIRECTORATES))


def _model_of(index: int) -> tuple:
    """The base directorate a directorate is modelled on (kind and team specs)."""
    return DIRECTORATES[index % len(DIRECTORATES)]


def _scaled_directorates(ctx: DemoContext) -> list[Directorate]:
    """The base directorates and those a scaled trust adds, each added one with its leaders (in bulk)."""
    wanted = directorate_count(ctx.scale)
    existing = list(Directorate.objects.order_by("pk"))
    base_slugs = [slug for _, slug, _, _ in DIRECTORATES]
    added = []
    for e in range(wanted - len(DIRECTORATES)):
        name, slug, kind, _ = _model_of(e)
        place = PLACES[e]
        label = name.split(" ", 1)[1] if name.split()[0] in ("Riverside", "Northgate", "Westshire") else name
        new_slug = f"{slugify(place)}-{slug}"
        if not any(d.slug == new_slug for d in existing):
            added.append(Directorate(name=f"{place} {label}", slug=new_slug, kind=kind))
    added = Directorate.objects.bulk_create(added)
    if added:
        names = _names(ctx.rng)
        leaders, roles = [], []
        for d in added:
            for label, title in (("cd", "Clinical director"), ("sd", "Service director"),
                                 ("cochair", "Service user partner")):
                leaders.append(User(username=f"{label}.{d.slug}", display_name=names[len(leaders) % len(names)],
                                    job_title=title, directorate=d, email=f"{label}.{d.slug}@example.nhs.uk",
                                    password="!",
                                    lived_experience=LivedExperience.SERVICE_USER if label == "cochair" else ""))
        leaders = User.objects.bulk_create(leaders)
        for u in leaders:
            label = u.username.split(".")[0]
            if label == "cochair":
                roles += [RoleAssignment(user=u, role=Role.SERVICE_USER),
                          RoleAssignment(user=u, role=Role.FORUM_CO_CHAIR, directorate_id=u.directorate_id)]
            else:
                roles.append(RoleAssignment(user=u, role=Role.STAFF))
                roles.append(RoleAssignment(user=u, role=Role.FORUM_CHAIR if label == "cd" else Role.SPONSOR,
                                            directorate_id=u.directorate_id))
        RoleAssignment.objects.bulk_create(roles)
        by_slug = {u.username: u for u in leaders}
        for d in added:
            d.clinical_director, d.service_director = by_slug[f"cd.{d.slug}"], by_slug[f"sd.{d.slug}"]
        Directorate.objects.bulk_update(added, ["clinical_director", "service_director"])
    ordered = sorted(Directorate.objects.all(), key=lambda d: (d.slug not in base_slugs, d.pk))
    return ordered[:wanted]


def _scaled_copy(ctx: DemoContext, copy: int, directorates: list[Directorate], index: int, ias: list[User]) -> None:
    """Copy k: one more set of teams (modelled on the directorate's own kind), their people, three coaches and a
    sponsor, in the directorate `index` (round robin, so every directorate grows alike). In bulk."""
    if User.objects.filter(username=f"s{copy}.0.0").exists():
        return  # idempotent: this copy was made by an earlier run
    directorate = directorates[index]
    _, _, _, specs = _model_of(index)
    teams = Team.objects.bulk_create([
        Team(directorate=directorate, name=f"{t_name} {copy}", kind=t_kind, site=f"{site} {copy}")
        for t_name, t_kind, site in specs
    ])
    names = _names(ctx.rng)
    users, roles = [], []
    titles = ["Staff nurse", "Healthcare assistant", "Charge nurse", "Psychologist", "Occupational therapist"]
    for i, team in enumerate(teams):
        for j in range(4):
            users.append(User(username=f"s{copy}.{i}.{j}", display_name=names[(i * 4 + j) % len(names)],
                              job_title=titles[(i + j) % len(titles)], team=team, directorate_id=team.directorate_id,
                              email=f"s{copy}.{i}.{j}@example.nhs.uk", password="!"))
    for n, label in enumerate(("sponsor", "coach1", "coach2", "coach3")):
        team = teams[n % len(teams)]
        users.append(User(username=f"{label}.{copy}", display_name=names[(len(users) * 7) % len(names)],
                          job_title="Service manager" if label == "sponsor" else "Staff nurse and QI coach",
                          team=team, directorate_id=team.directorate_id,
                          email=f"{label}.{copy}@example.nhs.uk", password="!"))
    users = User.objects.bulk_create(users)
    coach_profiles = []
    for u in users:
        roles.append(RoleAssignment(user=u, role=Role.STAFF))
        label = u.username.split(".")[0]
        if label == "sponsor":
            roles.append(RoleAssignment(user=u, role=Role.SPONSOR, directorate_id=u.directorate_id))
        elif label.startswith("coach"):
            roles.append(RoleAssignment(user=u, role=Role.COACH))
            coach_profiles.append(CoachProfile(user=u, hours_per_week=2 + len(coach_profiles) % 3, max_teams=2,
                                               supervisor=_advisor_with_room(ctx, ias)))
    RoleAssignment.objects.bulk_create(roles)
    CoachProfile.objects.bulk_create(coach_profiles)


def _advisor_with_room(ctx: DemoContext, ias: list[User]) -> User:
    """The first Improvement Advisor supervising fewer than COACHES_PER_IA coaches; a new one when all are full
    (so a scaled trust's central team grows with its coaches, as the source trust's did)."""
    loads: dict[int, int] = ctx.data.setdefault("ia_loads", {})
    if not loads:
        for ia in ias:
            loads[ia.pk] = CoachProfile.objects.filter(supervisor=ia).count()
    for ia in ias:
        if loads[ia.pk] < COACHES_PER_IA:
            loads[ia.pk] += 1
            return ia
    n = len(ias) + 1
    qi_team = ctx.data["teams"][4][5]
    ia = _person(f"ia{n}", f"{_names(ctx.rng)[n % 2000]}", "Improvement Advisor", qi_team)
    _grant(ia, Role.STAFF)
    _grant(ia, Role.IMPROVEMENT_ADVISOR)
    ias.append(ia)
    loads[ia.pk] = 1
    return ia
