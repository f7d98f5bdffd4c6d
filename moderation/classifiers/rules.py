"""Safeguarding phrase rules: who is at risk, of what, and whether it is happening now.

A phrase only counts when its sentence says it is happening to the author (disclosure) or to
someone they know (third-party disclosure). Each sentence is read for:

- idioms removed first ("I'm literally dead", "killing it", "my phone died");
- negation just before the phrase ("I would never hurt myself");
- past and recovery ("I used to self harm but I've been clean a year"), unless something says it is
  back ("again", "last night", "still");
- talk about the topic rather than a person ("how do I talk to my son about self harm", "an assembly
  on county lines");
- urgency ("tonight", "this weekend", "I've got the pills").

Patterns are kept general (verbs and objects, not whole sentences); the semantic matcher covers
wordings no rule lists, and the evidence shows where the two agree or not.
"""
from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from typing import Sequence

from moderation.classifiers import (DISCLOSURE, INDIRECT, MARKER, NEGATED, PAST, THIRD_PARTY, TOPIC, Finding,
                                    Signal)
from moderation.classifiers.literals import Gates
from moderation.normalise import Normalised


def _rx(s: str) -> re.Pattern:
    return re.compile(s, re.I)


# --- who ------------------------------------------------------------------------------------------
FIRST = _rx(r"\b(?:i|i'?m|im|i'?ve|ive|i'?ll|ill|i'?d|id|me|my|myself|mine|us|we|our|ourselves)\b")
KIN = (r"(?:best\s+|close\s+|little\s+|big\s+|older\s+|younger\s+|baby\s+|twin\s+|step\s?|half[- ]?)?"
       r"(?:friend|mate|bestie|bff|sister|brother|sis|bro|sibling|cousin|son|daughter|child|kid|boy|girl|"
       r"lad|stepson|stepdaughter|niece|nephew|grandson|granddaughter|classmate|teen|teenager|"
       r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
       r"fifteen|sixteen|seventeen)\s?(?:yo|y/o|year old|yr old))s?")
THIRD = _rx(r"\b(?:my|our|a|one of my|this|his|her)\s+" + KIN + r"\b|\b(?:someone|somebody|a girl|a boy|"
            r"a lad|this girl|this boy|a kid|people|kids|girls|boys) (?:in|at|from) (?:my|our) "
            r"(?:class|year|school|form|group)\b|\basking for a friend\b")
PRONOUN = _rx(r"\b(?:she|he|they|her|him|them|she'?s|he'?s|they'?re)\b")

# --- context --------------------------------------------------------------------------------------
IDIOMS = [_rx(p) for p in (
    r"\b(?:i'?m|im|i am|we'?re|we are|literally|actually|basically|nearly|almost|just|totally)\s+"
    r"(?:literally\s+|actually\s+|so\s+|absolutely\s+)?(?:dead|dying|deceased)\b(?!\s+(?:inside|to (?:the|this) world))"
    r"(?=.*(?:lol|lmao|haha|😂|🤣|💀|pe\b|lesson|laugh|funny|tired|after|from|of|at|with|knackered|exhausted|cringe|embarrass))",
    r"\b(?:dead|dying) (?:tired|funny|jealous|chuffed|excited|proud|good|easy|serious|keen|on time|to (?:see|know|go|try|meet|hear|get))\b",
    r"\b(?:dying|died|die|dead) (?:of|from|with) (?:laughter|laughing|embarrassment|boredom|cringe|shame|heat|cuteness|excitement)\b",
    r"\bto die for\b", r"\bkill(?:ing|ed)? it\b", r"\bkill(?:ed)? (?:time|the (?:lights|mood|vibe|engine|bug|spider))\b",
    r"\b(?:could|would|'d) (?:kill|murder) (?:for )?(?:a|an|some|the) \w+", r"\bkill for (?:a|an|some)\b",
    r"\b(?:this|that|it|homework|revision|work|school|traffic|the commute|my back|my feet|the heat|teething|these \w+)"
    r" (?:is|are|was|'s) (?:literally |actually |slowly )?killing (?:me|us)\b",
    r"\b(?:going to|gonna|will|would) (?:literally |actually )?kill (?:me|us)\b(?=.*(?:lol|lmao|haha|😂|🤣|homework|exam|mock|traffic|run|heat|teeth|nursery|bills|washing|ironing|tiredness|school run|this|these|that))",
    r"\b(?:my|the|our) (?:phone|battery|laptop|car|plant|plants|tablet|ipad|console|xbox|ps5|switch|wifi|charger|tv|torch|goldfish|hamster|fish|grandad|grandma|nan|granny|grandpa|dog|cat)\b[^.]*\b(?:died|dead|dying|is dead|has died|passed away)\b",
    r"\b(?:killer|cut(?:ting)?|cut (?:my|her|his|their|the|a|some|down|back|out|up|off|short|costs|corners|ties)) ?(?:own )?(?:hair|fringe|nails|cake|grass|lawn|hedge|crusts|food|sandwich|onions?|fabric|paper|sugar|carbs|screen time|costs|corners|back|down|out|short|class|lesson|a tooth|teeth|finger|thumb)\b(?! there)",
    r"\bcut (?:my|her|his) (?:finger|thumb|hand|knee|foot|chin|lip|head) (?:on|open|while|when|chopping|cooking|playing)\b",
    # a kitchen or hair-styling accident: "got a burn on my arm from the iron", "burnt my hand on the oven"
    r"\bburn(?:s|t|ed)? (?:on |to )?(?:my|her|his) (?:\w+ )?(?:arms?|hands?|fingers?|wrists?|neck|forehead|legs?) (?:from|off|on|with) (?:the |my |her |his )?(?:iron|oven|hob|kettle|pan|tray|straighteners|curling tongs|bbq|barbecue|radiator|exhaust)\b",
    r"\b(?:hit|hits) (?:me up|the (?:gym|shops|road|hay|sack|spot|books|town)|send|rock bottom with (?:the|my) (?:washing|house))\b",
    r"\b(?:it|that|this|reality) (?:really |just |suddenly )?(?:hit|hits|hurt|hurts) (?:me|home|hard)\b",
    r"\b(?:headbutt\w*|bit|bites|kick\w*|hit\w*|pinch\w*|scratch\w*|slap\w*|smack\w*|punch\w*) (?:me|my \w+)\b(?=[^.]*\b(?:toddler|baby|little one|lo|two year old|2 ?yo|3 ?yo|4 ?yo|year old|tantrum|teething|nursery|potty|bedtime|naptime|playing))",
    r"\b(?:toddler|baby|little one|lo|\d ?yo|two year old|three year old|four year old)\b[^.]*\b(?:headbutt\w*|bit|bites|biting|kick\w*|hits?|hitting|pinch\w*|scratch\w*|slap\w*|smack\w*|punch\w*)\b",
    r"\b(?:shot|shoot|shooting) (?:a |some |the )?(?:video|photo|scene|hoops|pool)\b", r"\bdrop (?:off|me off)\b",
    r"\bend (?:of )?(?:the|this) (?:day|week|term|month|year)\b", r"\bend it (?:there|on a high)\b",
    r"\bwant(?:ed)? the ground to swallow me\b", r"\b(?:slay|slayed|slaying|ate|murdered|destroyed) (?:it|that|the)\b",
    r"\bcrush(?:ed|ing)? (?:it|the \w+)\b", r"\bsmash(?:ed|ing)? (?:it|the \w+)\b", r"\bover ?dose of (?:cute|sugar|sun)\b",
    r"\b(?:my|our) (?:mock|exam|test)s? (?:are|is) (?:gonna|going to) (?:end|kill) me\b",
    # the writer's own threat over something trivial: "i swear i'll end him if he touches my headphones"
    r"\b(?:i'?m|im|i am|i'?ll|ill|i will|i swear i'?ll|i swear i will|i could|i'?d)\s+(?:literally\s+|actually\s+|so\s+)?"
    r"(?:going to\s+|gonna\s+)?(?:kill|murder|end|strangle|throttle|batter|lock)\s+(?:him|her|them|someone|my \w+)\b"
    r"(?=[^.]*\b(?:if|when|by|lol|lmao|haha|i swear)\b|[^.]*(?:😂|🤣|🙄|😤))",
    r"\b(?:i'?m|im|i am|we'?re) (?:so |literally |actually )?dead if\b",
    r"\b(?:i|i just|i literally|i'?m|im|i am)(?: actually| literally)? (?:want|wanna|going to|gonna) (?:to )?(?:actually |literally )?die\b(?=[^.!?]*(?:\b(?:lol|lmao|lmfao|haha\w*)\b|💀|😂|🤣))",
    # a surprise kept from someone ("planning a surprise party for mum, our little secret")
    r"\bsurprise\b[^.]{0,80}\b(?:our (?:little )?secret|don'?t tell (?:anyone|her|him|mum|dad))\b|\b(?:our (?:little )?secret|don'?t tell (?:anyone|her|him|mum|dad))\b[^.]{0,80}\bsurprise\b(?:[^.]{0,80}\bour (?:little )?secret\b)?",
    r"\bsleep for (?:a |about )?(?:\d+|a hundred|hundred|a thousand|a million|a week|a month|days|weeks|ever)(?: (?:years|days|hours))?\b",
    r"\bif i (?:have to|hear|see|get|do|sit through|watch) [^.]{0,80}?\b(?:one more|another|again)\b[^.]{0,60}?\b(?:i'?m|im|i am|i'?ll|ill|i will)\s+"
    r"(?:going to |gonna |actually |literally )*(?:walk into the sea|jump out (?:of )?(?:the |a )?window|scream|cry|explode|combust|lose it|die)\b",
    r"\bif\b[^.]{0,80}?\b(?:i'?m|im|i am|i'?ll|ill|i will)\s+(?:literally\s+|actually\s+)?(?:going to\s+|gonna\s+)?"
    r"(?:kill|murder|end|strangle|throttle)\s+(?:him|her|them|my \w+)\b",
)]

NEGATION = _rx(r"\b(?:not|never|no longer|nobody'?s? (?:going|gonna)|don'?t|dont|doesn'?t|doesnt|didn'?t|didnt|won'?t|wont|"
               r"wouldn'?t|wouldnt|isn'?t|aren'?t|wasn'?t|weren'?t|haven'?t|havent|hasn'?t|stopped|quit|nothing like)\b"
               r"(?:\W+\w+){0,3}\W*$")
NEGATION_EXCEPT = _rx(r"\b(?:don'?t|dont|do not) (?:know|care)|\bnot (?:sure|ok|okay|coping|safe|fine)|can'?t stop|couldn'?t stop|"
                      r"won'?t stop|doesn'?t stop|didn'?t stop|never stops?|not stopping")
RECOVERY = _rx(r"\b(?:recover(?:ed|ing|y)|clean (?:for|since|from)|(?:\d+|a|one|two|three|six) (?:days?|weeks?|months?|years?) (?:clean|sober|free)|"
               r"sober|survivor|came through|come (?:so|such a) (?:far|long way)|got (?:help|better|through it|out)|"
               r"(?:i'?m|im|i am|we'?re|she'?s|he'?s|they'?re) (?:\w+ )?(?:ok|okay|fine|safe|doing (?:well|better|great|brilliantly)|much better|in a better place|happy|happier|out) now|"
               r"(?:it'?s|its|it is|things are|everything'?s) (?:all )?(?:\w+ )?(?:fine|ok|okay|sorted|over|better|good) now|"
               r"left (?:him|her|them) (?:\w+ )?(?:years?|months?) ago|(?:clean|free|sober) (?:from (?:it|self[- ]?harm|cutting) )?for (?:\w+ )?(?:days|weeks|months|years|a year|a month)|"
               r"(?:days?|weeks?|months?|years?) (?:today |now )?since (?:i|she|he|they) last (?:cut|hurt|harmed|self[- ]?harmed|drank|used|took)|"
               r"never going back (?:to (?:it|that|cutting|that place))?|(?:i'?m|im|i am|feeling|doing) (?:\w+ )?better than (?:i was|before|last (?:year|term|month))|"
               r"(?:i'?m|im|i am) not in a (?:bad|dark) (?:way|place)|(?:i'?m|im|i am) still here and (?:i'?m|im|i am) glad|(?:i'?m|im|i am) glad (?:i'?m|im|i am) still (?:here|alive))\b")
# ("it gets better" is advice, not a recovery claim: "everyone says it gets better but I want to die")
RELAPSE = _rx(r"\b(?:again|relapsed?|relapsing|started (?:again|up)|back to|still)\b")
PAST_RX = _rx(r"\b(?:used to|use to|years ago|months ago|a long time ago|when i was (?:younger|little|small|a kid|a child|a teen|\d+(?!\s*(?:months?|weeks?)\b)|in year \d+|at school)|in (?:secondary|primary|high) school|was in a (?:really |very |pretty )?(?:bad|dark|low) place|last (?:autumn|spring|summer|winter|term)|"
           r"in the past|back then|back when|back in (?:year \d+|school|the day|\d{4})|no longer|last year|"
           r"(?:a|one|two|three|four|five|six|\d+|a few|a couple of) (?:years?|months?) ago|"
           r"recover(?:ed|ing|y)|clean (?:for|since)|(?:\d+|a|one|two|three|six) (?:days?|weeks?|months?|years?) clean|"
           r"sober|got (?:help|better|through it|out)|came through|survivor|(?:i'?m|im|i am|we'?re|she'?s|he'?s|they'?re) "
           r"(?:ok|okay|fine|safe|doing (?:well|better|great)|much better|in a better place|happy|out) now|"
           r"left (?:him|her|them)(?= *(?:[.,;!]|$|and\b|for good\b|(?:\w+ )?(?:years?|months?|weeks?) ago\b|last\b|in \d{4}\b))|moved out|it stopped|stopped (?:when|after)|(?:first|\d+(?:st|nd|rd|th)) anniversary|"
           r"looking back|for (?:a|one|two|\d+) years? now|haven'?t (?:\w+ ){0,3}(?:in|for|since))\b")
CURRENT = _rx(r"\b(?:again|relapsed?|relapsing|still(?! (?:miss|think about|love|talk about) (?:her|him|them|my \w+))|started (?:again|up)|last night|tonight|(?<!ago )today|this (?:morning|week|weekend|evening)|"
              r"right now|yesterday|at the moment|lately|recently|these days|currently|never told|first time i'?(?:ve|m) told|"
              r"now i (?:want|just want|feel like|can'?t|don'?t want)|"
              r"since (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|last))\b")
TOPIC_RX = _rx(r"\b(?:what if|in case|(?<!said )(?<!says )(?<!threatened )(?<!told me )(?<!told us )if (?:someone|somebody|anyone|a child|a young person|your|you|ever|they ever|he ever|she ever|my \w+ ever|our \w+ ever|a \w+)|"
               r"how (?:do|can|should|would|could|did) (?:i|we|you|parents|people|schools)(?: best)? (?:talk|speak|help|support|spot|know|tell|approach|deal|raise|explain|handle|protect|recogni[sz]e|bring|start|keep)|"
               r"how to (?:talk|help|support|spot|tell|know|protect|recogni[sz]e|keep|raise)|(?:warning )?signs of|"
               r"(?:learning|learnt|learned|studying|studied|revising|taught us|teaching us) (?:\w+ )?(?:about|on)|"
               r"(?:talk|talks|lesson|assembly|documentary|article|book|programme|program|film|movie|episode|training|course|workshop|"
               r"leaflet|awareness|research|essay|homework|project|show|news|story|podcast|campaign|charity|session|module|policy|series|novel|play|poster|talk|dissertation|thesis|coursework|assignment|presentation|placement|degree|lecture|seminar) "
               r"(?:about|on|around|covering|for|called)|raise awareness|awareness (?:week|day|month)|"
               r"(?:worried|scared|afraid|paranoid|terrified|frightened|concerned|worry) (?:that |about )?(?:he|she|they|my \w+|our \w+|it)? ?(?:might|could|may|will|would|'ll)|"
               r"(?:teach|teaching|taught|educate|warn|warning|warned) (?:my |our |the |your )?(?:kids|children|son|daughter|teen|child)s? (?:about|on)|"
               r"read(?:ing)? (?:about|that|an|something|up)|for my (?:job|work|course|degree|training)|asked (?:me )?what (?:\w+ ){1,3}(?:is|means)|age[- ]appropriate|explain (?:it|\w+) to|heard (?:about|that|something)|(?:letter|email|newsletter|text|leaflet|message) (?:from (?:the )?school )?(?:about|on|re)|"
               r"how (?:do|can|would|will|should) (?:i|we|you|parents) (?:\w+ )?(?:know|tell|spot|check) (?:if|whether|when)|(?:in|on) the news|on (?:tv|telly|netflix|iplayer)|"
               r"prevent(?:ion|ing)?|(?:level \d )?safeguarding (?:training|course|lead|policy|module|level \d|for)|dbs|"
               r"for (?:re|rs|pshe|pse|rse|citizenship|sociology|psychology|history|health and social care|homework|coursework)\b|"
               r"(?:the|a|this) (?:bit|part|section|unit|module|chapter|topic) (?:on|about)|research (?:it|this|that|them)|"
               r"(?:module|course|unit|topic|lecture|essay|dissertation|assignment|coursework|seminar)s? (?:\w+ ){0,3}(?:is|are|was|were) (?:on|about|covering)|"
               r"studying (?:criminology|sociology|psychology|law|social work|nursing|policing|youth work|education|history|politics)|reading list|statistics|figures show|set texts?|for (?:gcse|a[- ]?levels?)|"
               r"came in (?:to talk|to school|and talked|to do a talk)|"
               r"(?:is|are) (?:a |so |really |such a )?(?:serious|big|huge|common|real|growing) (?:issue|problem|thing|concern)|"
               r"(?:does|do|did|has|have|is|are) (?:anyone|any of you|any parents?)(?: else)?)\b")
INDIRECT_RX = _rx(r"\b(?:asking for a friend|what (?:would|will|happens) (?:happen )?if (?:i|my|someone|somebody|a (?:girl|boy|kid|friend))|hypothetically|would (?:they|you|she|he|the school|a teacher) (?:have to )?tell|do (?:they|teachers) have to tell)\b")
IMPLICIT_I = _rx(r"^\W*(?:been|feel|feeling|felt|want|wanna|going|gonna|thinking|think|can'?t|cant|started|relapsed|cut|keep|need|really|honestly|just|so|literally|still|tried|trying|hate|wish)\b")
URGENT = _rx(r"\b(?:tonight|today|right now|now|this (?:weekend|evening|afternoon|morning)|tomorrow|soon|when (?:everyone|they|mum|dad)(?:'s| is| are)? (?:asleep|out|gone)|"
             r"after school|before (?:school|anyone)|(?:got|have|bought|saved|collected|stockpiled|hidden) (?:the |a |some |enough |all )?(?:pills|tablets|rope|blades?|razors?|plan|note)|"
             r"(?:wrote|written|writing|left) (?:a |my )?(?:note|letter)|goodbye|said my goodbyes|final|last (?:post|message|time)|"
             r"(?:in|at) danger|(?:going|gonna|about) to|plan(?:ning)? to|decided|ready to|can'?t (?:go|do this|take (?:it|this)) (?:on|anymore|any more)|"
             r"scared to go home|locked (?:me|us) (?:in|out)|meet(?:ing)? (?:him|her|them|up)|bleeding|won'?t stop bleeding|"
             r"(?:taking|taken|take|took|swallowed) (?:them|the pills|the tablets|it))\b")


@dataclass(frozen=True)
class Rule:
    category: str
    pattern: re.Pattern
    weight: float       # 1.0 strong, 0.6 medium, 0.4 weak
    who: str            # "first": the phrase itself says it is the author; "reflexive": from myself/herself;
                        # "subject": needs a person in the sentence; "any": a marker that counts as it stands
    label: str          # the reason a moderator reads
    self_risk: bool = False
    urgent: bool = False


# substance misuse: who, what and how often. A verb such as "take" or "use" says nothing alone ("I take
# my inhaler every morning", "I can't take it on alone"): it needs a substance beside it.
_USER = r"\b(?:i|i'?m|im|i am|i'?ve|ive|been|keep|started|start|have been|she|he|they|she'?s|he'?s|they'?re)\b"
_TAKING = r"drinking|using|taking|smoking|sniffing|snorting|doing|dropping|popping"
_HARD_DRUGS = (r"\b(?:coke|cocaine|ket|ketamine|mdma|molly|spice|heroin|crack|xanax|xans|benzos|lean|nitrous|balloons|"
               r"diazepam|tramadol|codeine)\b")
_SUBSTANCES = (r"\b(?:vodka|alcohol|booze|wine|beer|cider|gin|rum|weed|pills|tablets|xans?|xanax|ket|ketamine|coke|"
               r"cocaine|mdma|spice|heroin|crack|benzos|diazepam|tramadol|codeine|lean|nitrous|spliffs?|joints?|drugs|"
               r"painkillers)\b")
_HOW_OFTEN = (r"(?:every (?:day|night|morning)|daily|most (?:days|nights)|alone|to cope|to forget|to sleep|to get thr(?:ough|u)|"
              r"before school|at school)\b")


def R(category: str, pattern: str, weight: float, who: str, label: str, self_risk: bool = False,
      urgent: bool = False) -> Rule:
    return Rule(category, _rx(pattern), weight, who, label, self_risk, urgent)


SH = "self_harm_suicide"
AB = "abuse_neglect"
DA = "domestic_abuse"
SX = "sexual_exploitation_grooming"
PARENT_FIGURE = (r"(?:dad|daddy|father|mum|mummy|mam|mom|mother|step ?dad|step ?mum|step ?father|step ?mother|"
                 r"mum'?s (?:new )?(?:boyfriend|partner|fella|bf|husband)|dad'?s (?:new )?(?:girlfriend|partner|gf|wife)|uncle|aunt|auntie|grandad|grandpa|"
                 r"nan|nana|gran|grandma|carer|foster (?:mum|dad|carer)|parents|guardian)")
PARTNER = r"(?:husband|hubby|wife|partner|boyfriend|bf|girlfriend|gf|ex|fiance|fiancee|other half|baby'?s dad|kids'? dad)"
HARM_VERB = (r"(?:hits?|hitting|beats?|beating|beat|punch(?:es|ed|ing)?|kicks?|kicked|kicking|slaps?|slapped|slapping|"
             r"chok(?:es|ed|ing)|strangl(?:es|ed|ing)|burn(?:s|t|ed)|throws? things at|threw (?:things|stuff|a \w+) at|"
             r"hurts?|hurting|hurt|batter(?:s|ed)|shov(?:es|ed)|push(?:es|ed) (?:me|her|him|us) (?:down|into|against|over)|"
             r"bruis(?:es|ed)|smack(?:s|ed))")

RULES: tuple[Rule, ...] = (
    # --- self-harm and suicide -------------------------------------------------------------------------
    R(SH, r"\b(?:kill|killing|kms|end|ending|hurt|hurting|harm|harming|cut|cutting|burn|burning|starve|starving|strangle|hang|hanging|drown|drowning|punish|punishing|scratch(?:ing)?)\s+(?:my|him|her|them|your|ur)sel(?:f|ves)\b", 1.0, "reflexive", "harming oneself", True),
    R(SH, r"\bkms\b|\bunalive (?:my|him|her)sel(?:f|ves)\b|\bunaliv(?:e|ing)\b", 1.0, "first", "kill myself (shorthand)", True),
    R(SH, r"\bself[- ]?harm\w*|\bself[- ]?injur\w*|\bsh(?:ing|'?d)\b|\bsh again\b", 0.9, "subject", "self-harm", True),
    R(SH, r"\bsuicid(?:e|al)|\btake my (?:own )?life\b|\bend(?:ing)? (?:my|her|his) (?:own )?life\b|\bend(?:ing)? it all\b|\boff myself\b", 1.0, "subject", "suicide", True),
    R(SH, r"\b(?:want|wanna|wanted|going|gonna|plan(?:ning)?|ready|decided|about|need|tempted|thinking about|think about|thought about|considering)\s+(?:to\s+)?(?:just\s+)?(?:die|end it|end things|not be here|not exist|disappear (?:forever|for good)|be dead|jump|overdose|od|kill myself|end myself)\b", 1.0, "subject", "wants to die", True),
    R(SH, r"\b(?:i'?m|im|i am|i'?ll|ill|i will|i'?m going to|gonna)\s+(?:just\s+)?end(?:ing)? it\b|\bend it (?:all|tonight|today|this weekend|soon|now)\b", 1.0, "first", "ending it", True, True),
    R(SH, r"\b(?:don'?t|dont|do not|didn'?t|doesn'?t|doesnt|does not) want to (?:be here|live|exist|wake up|be alive|go on|carry on|be around)\b|\bwish(?:ing)? i (?:was|were) dead\b|\bwish i (?:wasn'?t|was not|weren'?t|had never been|hadn'?t been) (?:here|born|alive|around)\b|\bsleep and (?:never|not) wake up\b", 1.0, "first", "does not want to live", True),
    R(SH, r"\b(?:no|isn'?t any|there'?s no|not any|don'?t see (?:the|a|any)) (?:point|reason) (?:in |to |of )?(?:living|being alive|going on|carrying on|live|me being here|being here|trying anymore|waking up)\b", 1.0, "any", "no reason to live", True),
    R(SH, r"\bbetter off (?:dead|without me|if i (?:wasn'?t|was not|weren'?t|wasnt) (?:here|around|alive))\b|\b(?:everyone|they|people|world|family)\b[^.]{0,30}\bbetter off without (?:me|her|him)\b", 1.0, "subject", "thinks others are better off without them", True),
    R(SH, r"\b(?:took|take|taking|swallow(?:ed)?|stockpil\w*|saving up|collected|od'?d on|overdosed on)\b[^.]{0,25}\b(?:all (?:my|the|of my|of the) )?(?:pills|tablets|paracetamol|painkillers|meds|medication|sertraline|fluoxetine|citalopram|antidepressants|sleeping pills|co-?codamol|ibuprofen|insulin)\b(?=[^.]*\b(?:all|whole|packet|box|bottle|lot|load|loads|handful|bunch|too many|end|die|overdose|enough|hospital|a&e|ambulance|scared|ago|wake up)\b)|\boverdos(?:e|ed|ing)\b|\bod'd\b|\bod'?ed\b", 0.9, "subject", "overdose", True),
    R(SH, r"\b(?:isn'?t|is not|won'?t be|not) (?:the (?:one|person)|who) (?:who |that |to )?finds? me\b|\bthe (?:one|person|first) (?:who|that|to) finds? me\b|\b(?:bought|got|have|sorted|ordered|saved up) (?:what|everything|all (?:that )?) ?i need\b(?=[^\n]*\b(?:waiting|weekend|tonight|til|till|until|when (?:she|he|they|everyone|mum|dad)|ready|goodbye|last|finds?)\b)", 1.0, "first", "a plan: the means bought, a time chosen, who will find them", True, True),
    R(SH, r"\b(?:i'?ve|ive|i have) decided (?:that )?(?:i'?m|im|i am) done(?:\W*$|[.,;!] | with (?:it all|everything|life|this life|living)\b)", 1.0, "first", "decided they are done", True, True),
    R(SH, r"\bnot (?:gonna|going to|be) be (?:around|here) (?:after|by|past|for much longer|much longer|anymore|any more|this time next)\b|\b(?:top of the (?:car park|multi-?storey|building|bridge|cliff|flats)|the roof)\b[^\n]{0,80}\b(?:be done with (?:it|it all|everything)|end it|for good|jump|working up (?:the |my )?(?:courage|nerve))\b|\b(?:go|going|get|getting) up (?:there|to the top|on the roof|on the bridge) (?:later|tonight|soon|when)\b[^.]{0,30}\bbe done with (?:it|it all|everything)\b", 1.0, "first", "saying they will not be around / a high place and an ending", True, True),
    R(SH, r"\b(?:jump|jumping|jumped|throw myself) (?:off|from|in front of) (?:a |the )?(?:bridge|building|roof|car park|train|cliff|car|bus|balcony|tower)\b", 1.0, "subject", "jumping from a height / in front of traffic", True),
    R(SH, r"\b(?:suicide|goodbye) (?:note|letter)\b|\bsaid my goodbyes\b|\bthis is (?:my )?goodbye\b|\bwon'?t be (?:here|around) (?:much longer|tomorrow|after tonight)\b|\bwhen i'?m gone\b", 1.0, "any", "saying goodbye", True, True),
    R(SH, r"\b(?:this is|this'?ll be|this will be|probably|prob) (?:probably |prob )?my last (?:post|message|time (?:posting|on here))\b(?=[^?]{0,160}\b(?:thanks?|thank (?:you|u)|sorry|bye|love (?:you|u)|take care|deleting)\b)|\bif i (?:don'?t|dont|do not|never) wake up\b(?! (?:on time|in time|early|for|before))|\bto see if i'?d (?:just )?(?:not|never) wake up\b|\bto see if i (?:would|could) (?:just )?(?:die|not wake up)\b|\b(?:letters?|notes?) (?:to|for)\b[^.]{0,60}\bnot (?:their|his|her|your) fault\b|\b(?:tell|let) \w+(?: \w+)? (?:know )?it (?:wasn'?t|wasnt|was not|isn'?t|is not) (?:his|her|their|your) fault\b", 1.0, "subject", "goodbye message", True, True),
    R(SH, r"\bonly thing that (?:helps|works|calms me|stops (?:it|the pain))\b[^.]{0,20}\b(?:blades?|razors?|cutting|pills|hurting myself|burning)\b|\b(?:tied|tie|tying)\b[^.]{0,40}\b(?:cord|belt|rope|scarf|lead|cable|sheet)s?\b[^.]{0,40}\b(?:bannister|banister|door|beam|loft|hook|rail|wardrobe|tree)\b|\bsee if it (?:would|will|could) (?:hold|take my weight)\b", 1.0, "any", "preparing or using a means of self-harm", True, True),
    R(SH, r"\b(?:hide|hiding|hid|found|find|finding|keep|keeping)\b[^.]{0,25}\b(?:blades?|razors?|sharpeners?)\b|\b(?:blades?|razors?) (?:in|under) (?:her|his|my) (?:room|bed|drawer|pillow|bag)\b|\b(?:cuts?|scars?|marks?|burns?) (?:on|up) (?:my|her|his|their) (?:arms?|wrists?|legs?|thighs?|stomach|body)\b", 0.9, "subject", "cuts or hidden blades", True),
    R(SH, r"\b(?:can'?t|cannot) (?:do this|go on|cope|take (?:it|this)|keep going|carry on)(?: \w+)? ?(?:anymore|any more|much longer)\b|\bgive up on (?:everything|life)\b|\bgiving up on (?:life|everything)\b", 0.5, "first", "cannot go on", True),
    R(SH, r"\b(?:nobody|no one|noone|no-one)\b[^.]{0,25}\b(?:notice|care|miss me|miss her|miss him)\b[^.]{0,25}\b(?:gone|disappeared|died|dead|wasn'?t here|not here)\b|\bdisappear(?:ed)? (?:forever|for good|and never come back)\b", 0.9, "subject", "thinks no one would notice if they were gone", True),
    R(SH, r"\bhow many (?:pills|tablets|paracetamol|painkillers|sleeping pills)\b[^.?]{0,30}\b(?:take|takes|kill|die|overdose|enough|would it)\b|\bhow (?:long|much) (?:does it take|would it take) to (?:die|bleed out|overdose)\b|\bpainless(?:ly)? (?:way|ways) to (?:die|go)\b", 1.0, "first", "asks how to overdose or die", True, True),
    R(SH, r"\b(?:wrote|written|writing|left) (?:a |my )?(?:note|letter)s? (?:for|to) (?:my |everyone|all)\b[^?]{0,80}\b(?:tonight|today|the night|goodbye|sorry|gone|the end)\b|\btonight(?:'s| is) the night\b", 0.9, "first", "farewell note", True, True),
    R(SH, r"\b(?:walk|swim|drive|jump|step|run) (?:into|off|in front of|out into) (?:the |a )?(?:sea|river|canal|cliff|traffic|road|motorway|train|lake)\b[^.]{0,20}\b(?:and (?:not|never) (?:come back|wake up|return)|to end|forever)\b|\band (?:just )?(?:not|never) (?:come back|wake up)\b", 0.9, "subject", "wants to not come back", True),
    R(SH, r"\b(?:already )?(?:plann?ed|planning|worked out|thought about) (?:how|when|where) (?:i'?d|i would|i'?ll|i will|to) (?:do it|end it|go|die)\b|\b(?:have|got|made) a plan to (?:end|die|kill|do it)\b", 1.0, "first", "has a plan", True, True),
    R(SH, r"\b(?:scratch\w*|pick\w*|bang\w*|hit\w*|punch\w*|burn\w*|cut\w*|bit\w*|bite\w*) (?:at )?(?:my|her|his|their) (?:arms?|wrists?|legs?|thighs?|head|skin|stomach|hands?|face)\b[^.]{0,20}\b(?:until|till|til|so (?:hard|much)|to make) (?:they|it|i|she|he)? ?(?:bleed|bleeds|bled|bruise|bruises|hurts?|feel)\b|\b(?:been|started|keep|kept|still|stop|stopped|i|she|he) cutting\b(?! (?:the|my|her|his|down|back|out|it|class|school|corners|costs|hair|fringe|paper|onions?|up))|\bcut (?:again|last night|yesterday|today|on my|my (?:arms?|wrists?|legs?|thighs?))\b", 0.9, "subject", "hurting their body", True),
    R(SH, r"\bwhat'?s the point (?:of|in) (?:me|living|life|anything|going on|trying|being here|it all|carrying on)\b|\b(?:won'?t|will not|don'?t think i'?ll|don'?t think i will|might not) be (?:here|around|alive) (?:by|for|much longer|next|at|after|tomorrow|in a)\b", 0.9, "first", "does not expect to be alive / no point in self", True),
    R(SH, r"\b(?:look(?:ing|ed)? up|search(?:ing|ed)?(?: for)?|googl\w*|research\w*|read(?:ing)? about) (?:\w+ )?(?:ways?|how) to (?:do it|die|end it|kill (?:my|your)self|end my life|overdose|not wake up)\b|\b(?:ways?|how) to (?:do it|die|end it) (?:painless\w*|quick\w*|without (?:pain|it hurting))\b|\b(?:googl\w*|search\w*|look\w* up|read\w* (?:up )?about) how (?:long|much) (?:it|that) (?:takes|would take|will take)\b[^.]{0,40}\b(?:hurts?|painful|pain)\b", 1.0, "first", "looking up ways to die", True, True),
    R(SH, r"\b(?:stop|stopped|to stop) existing\b|\bnot (?:exist|existing|be alive) (?:any ?more)\b|\bwant (?:it|this|everything|it all|the pain) (?:all )?(?:to )?(?:be )?over\b|\bjust want (?:it|this|everything) to (?:stop|end)\b", 0.9, "first", "wants to stop existing", True),
    R(SH, r"\b(?:better off|happier|easier|calmer|fine) (?:without me|if i (?:wasn'?t|weren'?t|was not|were not|wasnt) (?:here|around|alive)|if i (?:was|were) gone|if i (?:stopped|died|disappeared|left for good|was dead))\b", 1.0, "first", "thinks others are better off without them", True),
    R(SH, r"\bgiv(?:e|ing|en|e) away (?:all )?(?:my|her|his) (?:stuff|things|belongings|possessions|games|clothes|pets?)\b(?=[^.]*\b(?:won'?t need|not need|don'?t need|anymore|any more|soon|goodbye|gone))", 1.0, "subject", "giving possessions away", True, True),
    R(SH, r"\b(?:said|saying|says|messag\w*|text\w*|note) (?:\w+ ){0,3}sorry for everything\b(?=[^.]*\b(?:not|isn'?t|won'?t|can'?t|missing|gone|answer\w*|reply\w*|phone))", 1.0, "subject", "goodbye message, not reachable", True, True),
    # self-injury: a harming verb on one's own body, with an implement or hidden from others
    R(SH, r"\b(?:burn\w*|cut\w*|scratch\w*|carv\w*|slic\w*|stab\w*|punch\w*|bang\w*|hit\w*|bit\w*|bruis\w*) (?:my|her|his) (?:legs?|arms?|wrists?|thighs?|skin|stomach|hips?|belly|chest|hands?|ankles?|shoulders?)\b(?=[^.]*\b(?:lighter|blade|razor|compass|scissors|knife|glass|sharpener|pen|nobody|no one|hide|hiding|sleeves|again|every|until|so that|to feel|on purpose|myself|herself|himself))", 0.9, "subject", "injuring their own body", True),
    # intent and means in one sentence: "tonight I'm going to take everything in the medicine cabinet"
    R(SH, r"\b(?:going to|gonna|about to|want(?:ed)? to|wanna|think(?:ing)? about|plan(?:ning)? to|keep thinking about|tempted to|might)\b[^.]{0,40}\b(?:take (?:all|everything|every|the whole)\b[^.]{0,25}\b(?:pills|tablets|meds|medicine|cabinet|packet|box|bottle)|crash(?:ing)? (?:my|the) car|drive (?:off|into)|hang(?:ing)? (?:my|him|her)self|drown(?:ing)? (?:my|him|her)self|step(?:ping)? in front of|overdos\w*|slit\w* my)", 1.0, "subject", "intent with a means", True, True),
    R(SH, r"\b(?:jok\w*|talk\w*|post\w*|going on) about (?:hanging|killing|drowning|overdosing|ending) (?:him|her|my|them)sel(?:f|ves)\b|\bif i disappeared\b[^.?]{0,40}\b(?:care|notice|miss)\b|\bpretending (?:i|to) (?:want to be|be) (?:alive|ok|okay|fine|happy)\b", 0.9, "subject", "talk of ending life / pretending to be alive", True),
    R(SH, r"\b(?:scars?|cuts|burns|marks) (?:all )?(?:over|on|up|across) (?:my|her|his|their) (?:legs?|arms?|wrists?|thighs?|skin|stomach|hips?|belly|chest|hands?|ankles?|shoulders?)\b|\b(?:starv\w*|not eating|stopped eating|throwing up|making (?:my|her|him)self sick)\b[^.]{0,20}\b(?:again|days|on purpose|every)\b", 0.9, "subject", "injuries / starving", True),
    R(SH, r"\b(?:hate|hated) (?:my ?self|myself|my life|being alive)\b|\bi'?m (?:just |such )?(?:a )?(?:burden|waste of space)\b|\bnumb (?:all the time|inside)\b|\bdead inside\b", 0.45, "first", "hopelessness", True),
    R(SH, r"\bstopped eating\b|\bhaven'?t eaten (?:in|for) (?:days|\d+ days|a week)\b|\bmaking (?:my|her|him)sel(?:f|ves) sick\b|\bpurg(?:e|ing)\b", 0.6, "subject", "stopped eating / purging", True),

    # --- abuse and neglect -------------------------------------------------------------------------------------
    R(AB, r"\b(?:my |our |her |his )?" + PARENT_FIGURE + r"(?:'?s)? (?:always |keeps |still |sometimes |often |just |has |had |has been |have been |then )?" + HARM_VERB + r" (?:me|us|her|him|them|my (?:little |baby |big )?(?:brother|sister|sibling|bro|sis))\b", 1.0, "subject", "a parent or carer hurts a child"),
    R(AB, r"\b(?:hear|heard|hearing|hears)\b[^.]{0,40}\b(?:smack\w*|hit\w*|thud\w*|slap\w*|scream\w*|beat\w*)\b[^.]{0,40}\bthrough the walls?\b", 0.8, "any", "a child heard being hurt next door", False),
    R(AB, r"\bcigarette burns?\b|\bburns? (?:on|to) (?:his|her|their|the \w+(?:'s)?) (?:arms?|hands?|legs?|back|neck|face|body|tummy)\b[^.]{0,60}\bcigarettes?\b", 0.9, "subject", "cigarette burns on a child"),
    R(AB, r"\b(?:he|she|they) (?:always |keeps |sometimes |often |just |has |then )?" + HARM_VERB + r" (?:me|us)\b(?=[^.]*\b(?:home|house|drunk|angry|belt|bruises?|marks|tell|school|teacher|scared|mum|dad|step))", 0.8, "first", "someone at home hurts the author"),
    R(AB, r"\b(?:belt|wooden spoon|slipper|cane|wire|cable|hot iron|cigarette)\b[^.]{0,30}\b(?:hit|hits|beat|beats|on me|burn\w*|marks|bruise\w*)\b|\bbruises? (?:from|that) (?:my |her |his )?" + PARENT_FIGURE, 0.9, "subject", "marks or injuries from a parent"),
    R(AB, r"\b(?:scared|afraid|frightened|terrified|petrified|don'?t want|dont want|dread(?:ing)?) (?:to go|of going|going)? ?home\b|\b(?:scared|afraid|frightened|terrified|petrified) of (?:my |her |his )?" + PARENT_FIGURE + r"\b", 0.9, "first", "afraid to go home / of a parent", True),
    R(AB, r"\b(?:locks?|locked|shuts?|shut) (?:me|us|her|him) (?:in|out|in (?:my|the|her|his) (?:room|cupboard|shed|garden))\b(?![^.]*\b(?:as a joke|for a laugh|by accident|accidentally|lol|lmao|haha)\b)|\bleft (?:me|us|my (?:little )?(?:brother|sister)) (?:alone|on (?:my|our) own|home alone) (?:for|overnight|all (?:night|weekend))\b", 0.9, "subject", "locked in / left alone", True),
    R(AB, r"\b(?:never|no|isn'?t any|not any|hardly any) (?:food|dinner|tea|clean clothes|heating|electric) (?:in the house|at home|at mine|for (?:us|me|days))\b|\b(?:haven'?t|have not|not) (?:eaten|had (?:food|dinner|tea|anything to eat)) (?:since|for) (?:yesterday|days|\d+ days)\b|\bno one (?:feeds|looks after|takes care of) (?:me|us)\b", 0.9, "first", "neglect: no food or care at home", True),
    R(AB, r"\b(?:touch(?:es|ed|ing)?|fiddl(?:es|ed|ing)|feel(?:s|ing)? up|grop(?:es|ed|ing)|molest(?:s|ed|ing)?|abus(?:es|ed|ing)|rap(?:es|ed|ing)|sexually assault(?:s|ed)?)\s+(?:me|her|him|us|my (?:little )?(?:sister|brother))\b(?=[^.]*\b(?:private|down there|in bed|at night|bedroom|bath|room|uncle|step|mum|dad|grandad|cousin|brother|sister|coach|teacher|tutor|leader|when|made|secret|tell|again|keeps|always|under|clothes|nobody|no one|while|asleep))", 1.0, "subject", "sexual abuse", True),
    R(AB, r"\b(?:rap(?:ed|e)|molested|sexually (?:abused|assaulted)|abused)\b(?=[^.]*\b(?:me|my|i was|she was|he was|her|him)\b)", 1.0, "subject", "sexual or physical abuse", True),
    R(AB, r"\b(?:comes?|coming|came|walks?|walking|walked) (?:into|in) (?:the bathroom|my room|my bedroom|the shower|the bath)\b[^.]{0,20}\b(?:when|while) (?:i'?m|im|i am|i was) (?:in the shower|in the bath|changing|getting changed|asleep|in bed|naked)\b|\bno one (?:would|will|'d) (?:ever )?believe (?:me|you|her|him)\b", 0.9, "subject", "sexual boundary crossed by an adult", True),
    R(AB, r"\b(?:grab\w*|held|hold\w*|pinn\w*|drag\w*|pull\w*) (?:me|her|him|us) (?:by|round|around) (?:the|my|her|his) (?:throat|neck|hair|arms?|wrists?|collar)\b|\b(?:threw|throws?|thrown|push\w*|shov\w*|slam\w*) (?:me|her|him|us) (?:against|into|down|across|onto|at) (?:the )?\w+|\b(?:marks|bruises|bruising|scratches|burns?) (?:on|round|around|all over) (?:my|her|his) (?:neck|throat|face|back|arms?|legs?|body)\b(?=[^.]*\b(?:dad|mum|he|she|step|grabbed|hit|did|yesterday|last night|again))|\bcigarette burns?\b", 0.9, "subject", "physical violence and injuries", True),
    R(AB, r"\b(?:watch\w*|look\w* at|film\w*|photograph\w*|spy\w* on|peep\w*) (?:me|her|him|us) (?:in the (?:bath|shower)|chang\w*|undress\w*|get(?:ting)? (?:changed|dressed|undressed)|naked|while (?:i|she|he) (?:sleep|shower|bathe))\b", 1.0, "subject", "adult watching a child undress or bathe", True),
    R(AB, r"\b(?:home )?(?:on (?:my|our) own|alone|by (?:my|our)sel(?:f|ves))\b[^.]{0,15}\bsince (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|last \w+|the weekend)\b|\b(?:mum|dad|mam|mom|she|he|they|parents)\b[^.]{0,10}\b(?:hasn'?t|haven'?t|didn'?t|never) (?:come|came) (?:back|home)\b", 0.9, "subject", "left alone, parent not back", True),
    R(AB, r"\bmakes? (?:me|us) (?:stand|kneel|sit|stay) (?:in the corner|outside|in the cold|all night|for hours)\b|\bwon'?t let (?:me|us) (?:sleep|eat|use the (?:toilet|loo)|wash|go to school)\b", 0.9, "subject", "cruel punishment", True),
    R(AB, r"\b(?:he|she|they)(?:'ll| will| would|'d| said (?:he|she|they)(?:'d| would|'ll| will))? (?:do worse|hurt|kill|get|beat|batter) (?:me|us|her|him|my \w+)\b[^.]{0,20}\bif (?:i|we) (?:ever )?(?:tell|told|say|said)\b|\bif (?:i|we) (?:ever )?(?:tell|told)\b[^.]{0,30}\b(?:he|she|they)(?:'ll| will| would|'d) (?:do worse|hurt|kill|beat|batter|get)\b", 0.9, "first", "threatened if they tell", True),
    R(AB, r"\b(?:no|haven'?t had (?:the|any)?|without|not had (?:the|any)?) (?:heating|hot water|electric|electricity|gas|food)\b[^.]{0,40}\b(?:weeks|days|months|ages)\b(?=[^.]*\b(?:mum|dad|parents|step|drink|drugs|money|spends?|won'?t|doesn'?t))|\bspends? (?:the|all the|our|all our|the food|the rent|my) money on (?:drink|booze|alcohol|drugs|gambling|weed|the pub)\b", 0.9, "subject", "neglect: needs not met at home", True),
    R(AB, r"\b(?:won'?t|doesn'?t|don'?t|never) (?:let|lets|allow) (?:me|us) (?:to )?(?:eat|have (?:food|dinner|tea|breakfast))\b|\bnot allowed (?:to eat|dinner|tea|food|breakfast)\b|\bmakes? (?:me|us) sleep (?:in the shed|outside|on the floor|in the garden|in the car)\b|\b(?:call|calls|calling) me (?:a |an )?(?:waste of space|worthless|mistake|disgusting|freak|burden)\b(?=[^.]*\b(?:mum|dad|parents|step|carer|every day|always))", 0.9, "first", "cruelty or neglect at home", True),
    R(AB, r"\b(?:kids|children|they|the little ones?|the baby|her kids|his kids|their kids)\b[^.]{0,20}\b(?:are|were|get|being|is|been) left (?:on (?:their|its) own|alone|home alone|unattended)\b|\b(?:touch(?:es|ed|ing)?|abus\w*) (?:the )?(?:boys|girls|kids|children)\b(?=[^.]*\b(?:chang\w*|shower|club|coach|camp|private|tent|room))", 0.9, "subject", "children left alone / adult touching children", True),
    R(AB, r"\b(?:makes?|making|made|forces?|forced) (?:me|her|him) (?:to )?(?:touch|watch|take off|undress|sit on (?:his|her) lap|do (?:stuff|things|sexual))\b|\bin (?:my|her|his) (?:bed|room) at night\b(?=[^.]*\b(?:uncle|step|dad|grandad|cousin|brother|touch|comes? in))", 1.0, "subject", "made to do sexual things", True),
    R(AB, r"\b(?:said|says|told me|tells me|warned me) (?:not to|to never|never to|i can'?t|i mustn'?t|don'?t) tell (?:anyone|anybody|my (?:mum|dad|mom|parents|teacher)|the teachers?|social workers?|the school)\b|\bour (?:little )?secret\b|\b(?:i'?ll|i will|they'?ll|we'?ll) (?:get|be) (?:taken away|put in care)\b(?=[^.]*\btell\b)", 0.9, "first", "told to keep a secret", True),
    R(AB, r"\b(?:my |our )?" + PARENT_FIGURE + r"(?:'?s| is| are)? (?:always |never |constantly )?(?:drunk|off (?:her|his|their) face|high|wasted|passed out|using|on (?:drugs|the gear|smack|crack))\b(?=[^.]*\b(?:again|every|always|home|look after|can'?t|scared|baby|brother|sister|me|us|food|school))", 0.8, "first", "parent drunk or using: child at risk", True),

    R(AB, r"\b(?:lock|locks|locked|padlock\w*) (?:on )?(?:the )?(?:fridge|food|cupboards?|kitchen)\b|\b(?:fridge|food cupboards?|kitchen) (?:is |are |gets |got )?(?:locked|padlocked)\b|\b(?:not|haven'?t|havent|hasn'?t|hadn'?t|no|nothing)\b[^.]{0,15}\b(?:had|eaten|ate|been fed|got) (?:any |proper |a proper |real )?(?:food|tea|dinner|meal|meals|breakfast|lunch|anything to eat)\b[^.]{0,20}\b(?:since (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|last)|for (?:\w+ )?days)\b|\b(?:crying|cry|cries) (?:cos|because|cause|'cause|as) (?:they'?re|theyre|we'?re|she'?s|he'?s|i'?m|im) (?:so )?(?:hungry|starving)\b", 0.9, "subject", "children going without food", True),

    R(AB, r"\b(?:" + PARENT_FIGURE + r"|they)(?:'?s)?\b[^.]{0,30}\b(?:make|makes|made|making) (?:me|us|u|her|him|them|my (?:little |baby |big )?(?:brother|sister)) sleep (?:in|on) (?:the |a )?(?:shed|garage|garden|floor|car|hallway|cupboard|outside|bath|doorstep)\b", 0.9, "subject", "a child made to sleep in a shed, on the floor or outside", True),
    R(AB, r"\b(?:my |our )?" + PARENT_FIGURE + r"(?:'?s)?\b[^.]{0,40}\b(?:lock|locks|locking|locked|shut|shuts|shutting) (?:me|us|her|him|them|my (?:little |baby |big )?(?:brother|sister)) (?:in|inside) (?:the |my |a |his |her |our )?(?:\w+ )?(?:room|cupboard|shed|bathroom|garage|cellar|loft|bedroom)\b", 0.9, "subject", "a child locked in a room by a parent or carer", True),

    # --- domestic abuse ----------------------------------------------------------------------------------------------
    R(DA, r"\b(?:my |our |the |her |his )?" + PARTNER + r"(?:'?s)? (?:always |keeps |still |sometimes |often |has |had |has been |then |just )?(?:" + HARM_VERB + r"|threaten(?:s|ed|ing)? (?:me|to)|controls? (?:me|my money|everything|who i see)|won'?t let me (?:see|go|leave|have|out)|takes? my (?:money|phone|bank card|keys)|checks? my phone|tracks? (?:me|my phone|my location)|locks? me|rap(?:es|ed))\b(?:\W+(?:me|us|her|the kids|my|when|in front))?", 1.0, "subject", "partner violence or control", True),
    R(DA, r"\b(?:my |our )?" + PARENT_FIGURE + r"(?:'?s)? (?:always |keeps |sometimes |often |has been |has |is |was |started |then |just )?" + HARM_VERB + r" (?:my |our )?(?:mum|mom|mam|dad|mummy|mother|stepmum|stepdad)\b", 1.0, "subject", "one parent hurts the other (child witnesses domestic abuse)", True),
    R(DA, r"\b(?:hiding|hid|hide|hidden) (?:in|under) (?:the |my |our )?(?:wardrobe|cupboard|bed|bathroom)\b(?=[^.]*\b(?:shout|scream|smash|hit|crying|fight|drunk|row)\w*)|\b(?:shout\w*|scream\w*|smash\w*|fight\w*|row\w*)\b[^.]{0,120}\b(?:hiding|hid|hide) (?:in|under)\b", 0.9, "any", "children hiding from violence at home", False, True),
    R(DA, r"\b(?:hands?|arms?) (?:round|around) (?:my|her|his|mum'?s|my mum'?s) (?:throat|neck)\b|\bsqueez\w* (?:my|her|his) (?:throat|neck)\b|\b(?:strangl|chok)\w* (?:me|her|him|mum|my mum) (?:until|till|til|so (?:hard|much)|and)\b|\bdragg?(?:ed|ing|s)? (?:me|her|him|mum|my mum|us)\b[^.]{0,40}\bby (?:my|her|his|the) hair\b", 1.0, "any", "strangled or dragged by the hair", True, True),
    R(DA, r"\b(?:scared|afraid|frightened|terrified) of (?:my |her |his )?" + PARTNER + r"\b|\bwalking on egg ?shells\b|\b(?:he|she|they)(?:'ll| will| said (?:he|she|they)(?:'d| would|'ll| will)| threaten(?:s|ed) to) (?:kill|hurt|take) (?:me|us|the kids|the children|the baby|(?:my|our) (?:kids|children|baby|son|daughter))\b", 0.9, "subject", "afraid of a partner / threats", True),
    R(DA, r"\b(?:he|she) (?:\w+ )?(?:controls? (?:all )?(?:the|my) money|checks? my phone|tracks? (?:me|my)|won'?t let me (?:see|go out|leave|have (?:money|friends))|takes? my (?:bank card|wages|money))\b|\b" + PARTNER + r"\b[^.]{0,40}\b(?:threaten\w*|stalk\w*|following me|turn(?:s|ing)? up)\b|\b(?:screaming|shouting|yelling) at (?:my )?(?:mum|mom|mam|dad|her|him)\b[^.]{0,40}\b(?:smash\w*|break\w*|throw\w*|hit\w*|crying|scared|hiding)\b|\b(?:things|stuff|plates|glass) (?:smashing|breaking|being thrown)\b", 0.9, "subject", "coercive control or violence at home", True),
    R(DA, r"\b(?:smash\w*|broke|break\w*|took|hid) my phone so (?:i|we) (?:can'?t|couldn'?t|cannot) (?:call|ring|phone|contact|text)\b|\b(?:won'?t|doesn'?t|don'?t|never) (?:let|lets) me (?:have|keep|see|use|go to|contact) (?:my (?:own )?)?(?:money|phone|friends|family|bank|mum|sister|doctor|gp)\b|\bgets? (?:nasty|violent|angry|scary) (?:if|when) i (?:buy|spend|go out|see|talk|text|leave|say no)\b", 0.9, "subject", "coercive control", True),
    R(DA, r"\b(?:he|she) (?:took|takes|has taken|keeps|hides|hid) my (?:bank cards?|cards|car keys|keys|phone|money|wages|benefits|passport)\b|\b(?:he|she)(?:'ll| will|'d| would| said (?:he|she)(?:'d| would|'ll| will)) (?:hurt|kill|get rid of) (?:the dog|the cat|the kids|the children|the baby|my (?:kids|children|son|daughter|dog|cat|sister|mum|family))\b|\b(?:black eye|split lip|bruised? (?:face|arms?|neck)|bruises (?:on|all over) (?:her|his))\b(?=[^.]*\b(?:again|him|he|dad|stepdad|boyfriend|partner|walked into|fell|door|heard))", 0.9, "subject", "coercive control / injuries at home", True),
    R(DA, r"\b(?:he|she) (?:hits|hit|punched|strangled|choked|pushed|slapped|kicked|beat|beats|threatened|raped) me\b(?=[^.]*\b(?:husband|partner|boyfriend|ex|baby'?s dad|pregnant|the kids|in front|drunk|again|police|refuge|leave|marriage|relationship))", 0.9, "first", "partner violence", True),

    # --- child sexual exploitation and grooming ---------------------------------------------------------------------------
    R(SX, r"\b(?:asked|asks|asking|keeps asking|wants|wanted|told|tells|pressur\w*|begg\w*|made) (?:me|her|him) (?:to )?(?:send|sending|for|share|show) (?:him|her|them )?(?:some )?(?:nudes?|pics?|pictures?|photos?|videos?|snaps?)(?: of (?:me|myself|her|him|my body))?\b(?=[^.]*\b(?:nude|naked|body|bra|underwear|top off|private|boobs|pic|pics|photo|photos|video|snap|older|guy|man|he|him|online|snapchat|insta|tell|secret|\d\d))", 0.9, "subject", "asked for images", True),
    R(SX, r"\b(?:sent|send|sending|shared|leaked|posted|spread(?:ing)?) (?:him |her |them |around )?(?:my |her |his )?(?:nudes?|naked (?:pics?|photos?|pictures?))\b|\bnudes? (?:of (?:me|her|him)|got (?:shared|sent|leaked))\b|\b(?:threaten(?:s|ed|ing)?|gonna|going to) (?:to )?(?:share|send|post|leak) (?:my|the|her|his) (?:pics?|photos?|nudes?|videos?)\b|\bsextort\w*", 1.0, "subject", "intimate images shared or threatened", True),
    R(SX, r"\b(?:older|grown|adult) (?:guys?|m[ae]n|boys?|lads?|wom[ae]n|blokes?|boyfriend|girlfriend)\b[^.]{0,60}\b(?:messag\w*|texting|dm\w*|talking to|chatting|buys?|bought|gives?|gave|picks? (?:me|her|him|us) up|drives?|vapes?|weed|alcohol|drink|money|gifts?|presents?|phone|meet|met|snapchat|online|hotel|party|parties|flat|house)\b|\b(?:boyfriend|he|she|girlfriend) is (?:1[89]|2\d|3\d|4\d)\b[^.]{0,40}\b(?:i'?m|im|i am|she'?s|he'?s) 1[0-5]\b|\b(?:i'?m|im|i am|she'?s|he'?s) 1[0-5]\b[^.]{0,40}\b(?:he|she|boyfriend|girlfriend)(?:'s| is) (?:1[89]|2\d|3\d|4\d)\b", 1.0, "subject", "older person with gifts / age gap", True),
    R(SX, r"\b(?:asks?|asking|asked) (?:me |her |him )?what (?:i'?m|im|i am|she'?s|he'?s|she is|he is) wearing\b|\b(?:mature|grown up) for (?:her|his|your|my|ur) age\b|\b(?:show|send) (?:him|her|them) (?:my|your|her|his) (?:body|boobs|chest|bum|privates|bits)\b|\b(?:\d+ quid|£\s?\d+|money|robux|v-?bucks)\b[^.]{0,30}\bif (?:i|she|he) (?:show|send|do)\b", 0.9, "subject", "sexualised requests from an adult", True),
    R(SX, r"\b(?:man|guy|bloke|adult|older (?:\w+)|someone online|a man online)\b[^.]{0,40}\b(?:gives?|gave|giving|buys?|bought|buying|offers?|offered|offering|sends?|sent|sending) (?:me|us|her|him|my \w+) (?:free |loads of |lots of )?(?:vapes?|alcohol|drink|vodka|weed|money|cash|cigs|fags|gifts?|presents?|robux|v-?bucks|a phone|phones|top ?ups?|lifts|rides|takeaways?|clothes|trainers|nails)\b", 0.9, "subject", "an adult giving gifts", True),
    R(SX, r"\b(?:i'?m|im|i am|she'?s|he'?s|she is|he is|my \w+ (?:is )?\(?)\s?1[0-5]\)?\b[^.]{0,60}\b(?:is|who is|who'?s|aged) (?:1[89]|[2-4]\d)\b|\b(?:is|who is|who'?s|aged) (?:1[89]|[2-4]\d)\b[^.]{0,40}\b(?:i'?m|im|i am|she'?s|he'?s|she is|he is) (?:only )?1[0-5]\b", 0.9, "subject", "large age gap with a child", True),
    R(SX, r"\b(?:a|an|this|some|he'?s|she'?s|he is|she is) (?:1[89]|[2-4]\d) ?(?:year old|yr old|yo|y/o)\b[^.]{0,100}\b(?:i'?m|im|i am|she'?s|he'?s|she is|he is) (?:only |just )?1[0-5]\b|\b(?:i'?m|im|i am|she'?s|he'?s|she is|he is) (?:only |just )?1[0-5]\b[^.]{0,100}\b(?:a|an|this|some|he'?s|she'?s|he is|she is) (?:1[89]|[2-4]\d) ?(?:year old|yr old|yo|y/o)\b", 0.9, "subject", "large age gap with a child", True),
    R(SX, r"\b(?:asks?|asking|asked|keeps asking|begging|wants) (?:me |her |him |us )?for (?:more )?(?:pics|pictures|photos|nudes|videos|selfies|snaps)\b(?=[^.]*\b(?:pyjamas|pjs|bed|underwear|bra|body|naked|uniform|private|secret|older|guy|man|he|him|snap|online|fortnite|roblox|game))|\b(?:waiting|hanging around|hangs around|parked|sits) outside (?:the )?(?:school|college|academy)\b[^.]{0,60}\b(?:girls|boys|kids|children|year \d+|lifts|sweets|vapes|talking)\b|\boffer\w* (?:them|her|him|us|me|girls|kids) (?:lifts|a lift|rides|a ride)\b", 0.9, "subject", "adult seeking contact with children", True),
    R(SX, r"\b(?:special (?:friends?|girl|boy)|our (?:little )?secret)\b(?=[^\n]*\b(?:shouldn'?t|mustn'?t|not (?:to|allowed to)|don'?t|never) tell\b)|\b(?:shouldn'?t|mustn'?t|not (?:to|allowed to)|don'?t|never) tell (?:anyone|anybody|my (?:mum|dad|parents))\b[^.]{0,40}\b(?:massages?|special|touch\w*|sleepovers?|gifts?|presents?)\b", 0.9, "subject", "a 'special' secret relationship with an adult", True),
    R(SX, r"\bdo (?:stuff|things|favours|sexual things|bits) (?:for|with) (?:his|their|her|them|older) (?:friends|mates|boys|men|lads)?\b|\b(?:has|have|had|made|make|makes) to (?:do stuff|sleep with|have sex with)\b", 0.9, "subject", "made to do sexual things for others", True),
    R(SX, r"\b(?:meet|meeting|met) (?:up with )?(?:a |this |some )?(?:guy|man|person|boy|girl|someone|him|her)\b[^.]{0,40}\b(?:online|on (?:snap|snapchat|insta|instagram|tiktok|discord|roblox|fortnite|minecraft|xbox|ps|whatsapp|telegram|a game))\b|\b(?:online|on (?:snap|snapchat|insta|discord|roblox|tiktok))\b[^.]{0,40}\b(?:wants to|asked to|want to|going to|gonna) meet (?:me|her|him|up)\b", 0.9, "subject", "meeting someone from online", True),
    R(SX, r"\b(?:parties|party|flats?|houses?|hotel)\b[^.]{0,40}\b(?:older (?:guys|men|lads)|given (?:drink|drugs|alcohol|vodka)|made (?:me|her) (?:sleep with|do stuff|have sex))\b|\bsleep with (?:his|their) (?:mates|friends)\b|\b(?:pimp|pimped|prostitut\w*|sold for sex)\b", 1.0, "subject", "sexual exploitation", True),

    # --- FGM -------------------------------------------------------------------------------------------------------------------
    R("fgm", r"\b(?:ceremony|procedure)\b[^.]{0,40}\bbecome (?:a )?(?:proper |real |true |full )?(?:wom[ae]n|lady|ladies)\b(?=[^\n]*\b(?:hurt|hurts|pain|painful|not (?:allowed )?to tell|don'?t tell|can'?t tell|secret|cut)\b)|\b(?:back home|abroad|holidays?|trip)\b[^.]{0,100}\b(?:ceremony|procedure)\b[^.]{0,40}\bbecome (?:a )?(?:proper |real |true |full )?(?:wom[ae]n|lady|ladies)\b", 0.9, "subject", "a painful or secret 'ceremony to become a woman' (FGM)", False, True),
    R("fgm", r"\b(?:it was|it got|they) done (?:it )?to me\b[^?]{0,200}\b(?:her|their) turn\b|\b(?:take|taking|send|sending)\b[^.]{0,60}(?:['\"]home['\"]|\bback home\b|\babroad\b)[^.]{0,80}\b(?:her|their) turn\b", 0.9, "subject", "a girl's 'turn' for what was done to an older sister or mother (FGM)", False, True),
    R("fgm", r"\bfgm\b|\bfemale (?:genital )?(?:mutilation|circumcision|cutting)\b|\b(?:cut|cutting|circumcis\w*) (?:down there|like (?:my|her) (?:sister|cousin|mum))\b|\b(?:ceremony|procedure|special (?:ceremony|procedure)) (?:to become|for becoming) a woman\b|\b(?:be|get|getting|being) cut\b[^.]{0,40}\b(?:summer|holiday|trip|back home|auntie|aunty|grandma|ceremony|tradition|culture|becoming a woman)\b|\b(?:summer|holiday|trip|back home|abroad|ceremony)\b[^.]{0,60}\b(?:be|get|getting|being|got) cut\b|\b(?:got|get|be|been|being|was) cut down there\b|\b(?:girls?|sister|daughter|cousin|summer|holidays?|back home|abroad)\b[^.]{0,80}\b(?:operation|procedure)\b[^.]{0,15}\bdown there\b|\b(?:operation|procedure)\b[^.]{0,15}\bdown there\b(?=[^.]*\b(?:girls?|sister|daughter|cousin|not (?:to )?tell|every girl)\b)|\b(?:need|needs|have|has|going|got) to (?:be|get) cut\b(?=[^.]*\b(?:girls?|daughters?|pure|clean|tradition|culture|woman|marriage|summer|flights?|holiday))|\bsunna\b|\b(?:me|her|my (?:daughter|sister|cousin)|girls?) (?:to )?(?:be|get|getting|being) circumcis\w*\b|\btype (?:1|2|3|one|two|three) (?:fgm|cutting)\b", 1.0, "subject", "FGM", True),
    R("fgm", r"\b(?:ceremony|tradition|back home|abroad)\b[^.]{0,60}\b(?:made|make|making|be|being|become|becoming)(?: (?:me|her|us|them|my (?:sister|daughter|cousin)))? ['\"]?(?:clean|pure)\b|\b(?:made|make|making|be|being|become|becoming)(?: (?:me|her|us|them|my (?:sister|daughter|cousin)))? ['\"]?(?:clean|pure)['\"]?(?=[^?]*\b(?:tradition\w*|ceremony|back home|family|aunt\w*|auntie\w*|grandm\w*|nan|cut|summer|holidays?|celebration|become a woman)\b)", 0.9, "subject", "a girl to be 'made clean' or 'pure' (FGM)", False, True),

    # --- forced marriage -----------------------------------------------------------------------------------------------------
    R("forced_marriage", r"\b(?:forc\w*|mak(?:e|ing)|made|pressur\w*|push(?:ing|ed)?|arrang\w*) (?:me|her|him|my (?:sister|brother|cousin)) (?:to |into )?(?:marry|get married|a marriage|marriage|an? (?:arranged|forced) marriage)\b|\bforced marriage\b|\b(?:found|chosen|picked|arranged|lined up|promised) (?:a |me a |her a |him a |me to a |her to a )?(?:husband|wife|man|bride|groom|fiance|fiancee)(?: for (?:me|her|him))?\b(?=[^.]*\b(?:back home|abroad|leave school|year \d+|marry|wedding|i'?m (?:only )?1[0-7]|she'?s (?:only )?1[0-7]|don'?t want|no choice|for me|for her))|\b(?:forc\w*|pressur\w*|push\w*) into (?:a |an )?(?:arranged )?marriage\b|\b(?:marry|married|engaged) (?:to )?(?:a man|a woman|someone|my cousin|an older man|a stranger)\b[^.]{0,30}\b(?:don'?t|do not|doesn'?t|never|haven'?t|hasn'?t|against)\b|\b(?:taking|take|sending|send|took) (?:me|her|him) (?:back )?(?:home |abroad |to \w+ )?(?:to (?:get married|be married|marry)|for (?:a|my|her|his) (?:wedding|marriage))\b|\bwedding\b[^.]{0,40}\b(?:against my will|i don'?t want|without (?:my|her) consent|i'?m (?:only )?1[0-7])\b", 1.0, "subject", "forced marriage", True),

    # --- radicalisation and extremism ------------------------------------------------------------------------------------------
    R("radicalisation", r"\b(?:join|joining|fight for|fighting for|pledge\w* (?:to|allegiance)|support(?:ing)?|recruit\w* (?:for|into)) (?:isis|isil|is|daesh|the caliphate|jihad|the jihad|national action|patriotic alternative|the (?:race|holy) war|the cause|the brotherhood|the movement)\b|\b(?:race war|holy war|white genocide|great replacement|day of the rope)\b|\b(?:kill|killing|gas|exterminat\w*|wipe out|deport|shoot) (?:all|every) (?:the )?(?:muslims|jews|immigrants|blacks|whites|gays|christians|refugees|foreigners|asians|pakis|women)\b|\b(?:muslims|jews|immigrants|blacks|gays|refugees|foreigners|asians|christians)\b[^.]{0,20}\b(?:should|need to|must|deserve to) (?:all )?(?:be )?(?:deported|killed|wiped out|gassed|shot|die|burn|exterminated|sent back)\b|\b(?:make|making|build|building|made) (?:a |an )?(?:bomb|pipe bomb|explosive|ied)\b|\b(?:shoot|stab|attack|bomb) (?:up )?(?:the |my )?(?:school|mosque|synagogue|church|college|class)\b|\b(?:extremist|jihadi|nazi|fascist|terrorist) (?:group|videos?|channel|server|chat|propaganda|stuff|material)\b[^.]{0,40}\b(?:joined|watching|sent|sends|showing|shows|added|into|keeps?)\b|\b(?:joined|watching|sent|sends|showing|shows|added|into|keeps?|sharing|shares|shared|posting|posts)\b[^.]{0,40}\b(?:extremist|jihadi|nazi|terrorist) (?:group|videos?|channel|server|chat|propaganda|stuff|material)\b", 1.0, "any", "extremism / violence against a group"),

    # --- bullying --------------------------------------------------------------------------------------------------------------
    R("bullying", r"\b(?:being|been|getting|got|get|gets|is being|was) bullied\b|\bbull(?:y|ies|ying) (?:me|her|him|us)\b|\b(?:everyone|they|people|kids|girls|boys|lads|the others|the group) (?:at|in) (?:school|my class|my year|my form|college)\b[^.]{0,40}\b(?:call(?:s|ing)? (?:me|her|him)|pick(?:s|ing)? on|laugh(?:s|ing)? at|push(?:es|ing)?|hit(?:s|ting)?|spit(?:s|ting)? on|ignore|trip(?:s|ped)?|film(?:s|ed|ing)?|threaten\w*)\b|\b(?:group ?chat|page|account|video|tiktok|story)\b[^.]{0,30}\b(?:about|of|mocking|to laugh at|to make fun of) (?:me|her|him)\b|\b(?:made|set up|started|posted|shared|spread(?:ing)?)\b[^.]{0,30}\b(?:rumou?rs?|lies|pics?|photos?|videos?|stuff)\b[^.]{0,15}\b(?:about|of) (?:me|her|him)\b(?=[^.]*\b(?:everyone|whole|school|year|class|group|chat|laughing|mock))", 0.8, "subject", "bullying"),
    R("bullying", r"\b(?:everyone|they|people|the whole (?:school|year|class))\b[^.]{0,20}\bkeeps? (?:sending|posting|sharing|saying|calling)\b[^.]{0,40}\b(?:me|about me|of me)\b|\b(?:wrote|written|posted|spread\w*) (?:horrible|nasty|mean|disgusting|awful) (?:stuff|things|lies|comments|messages)\b[^.]{0,15}\babout (?:me|her|him)\b", 0.8, "subject", "bullying", True),
    R("bullying", r"\b(?:kys|k y s|kill (?:your|ur)self|go die|neck (?:your|ur)self|drink bleach|nobody (?:wants|likes) you|everyone hates you|no one would miss you)\b", 0.9, "marker", "telling someone to kill themselves / harassment"),

    # --- gangs and county lines ------------------------------------------------------------------------------------------------
    R("gangs_county_lines", r"\bcounty ?lines?\b|\b(?:go|going|went|sent|send|taken|taking)(?: me| him| her| us)? (?:country|ot|out of town|cunch)\b|\btrap ?(?:house|line|phone)s?\b|\bstab (?:wound|wounds)\b|\bcuckoo(?:ed|ing)\b|\b(?:run|running|ran|carry|carrying|hold|holding|drop|dropping|deliver(?:ing)?|shot|shotting|sell|selling|deal|dealing) (?:packages?|parcels?|packs?|bags?|drugs|food|the ting|work|stuff|weed|coke|nitrous)\b(?=[^.]*\b(?:for (?:them|him|some|older|these|the)|older|owe|debt|gang|lads|boys|guys|man|mandem|paid|money|phone|scared|make me|made me|told me|have to|got to|or else))|\b(?:owe|owes|owing|in debt to) (?:them|him|these|some|the) (?:guys|lads|boys|man|men|older|people)?\b[^.]{0,30}\b(?:money|£\s?\d+|\d+ ?quid|grand)\b|\b(?:gang|mandem|older (?:boys|lads|guys))\b[^.]{0,40}\b(?:recruit\w*|made (?:me|him|her)|make (?:me|him|her)|want (?:me|him|her) to|threaten\w*|stab\w*|jump(?:ed)?|beat (?:me|him|her) up)\b", 0.9, "subject", "county lines / gang exploitation", True),
    R("gangs_county_lines", r"\bowe (?:them|him|her|\w+) (?:£?\d+\w*|money|a debt)\b[^.]{0,60}\b(?:package|parcel|bag|food|stuff|drugs|taken|robbed|lost|feds|police)\b|\b(?:package|parcel|bag|food|stuff)\b[^.]{0,40}\b(?:got taken|got robbed|got lost|was taken|taken off me)\b[^.]{0,60}\bowe\b", 1.0, "subject", "drug debt (debt bondage)", False, True),
    R("gangs_county_lines", r"\bor (?:else )?(?:they|he|she|them)(?:'ll| will|'d| would| are gonna| are going to) (?:jump|stab|shank|beat|batter|hurt|kill|get|merk|wet|do) (?:me|us|him|her|my \w+)\b|\b(?:olders|elders|the mandem|the olders|older (?:boys|lads|guys|ones))\b[^.]{0,40}\b(?:have to|got to|make me|made me|said i|want me to|told me to)\b", 0.9, "subject", "pressured by older boys / threats", True),
    R("gangs_county_lines", r"\b(?:they|he|she|them|older \w+) (?:gave|give|given|got|gets) (?:me|him|her|us) (?:a |another |a second |a new )?(?:phone|burner|line)\b|\b(?:answer|pick up) (?:it|the phone|the line) (?:whenever|every time|when) it rings\b", 0.9, "subject", "given a drugs line phone", True),
    R("gangs_county_lines", r"\b(?:carry|carrying|carries|got|bring|bringing|brought|has|had|keeps?) (?:a |his |her |my )?(?:knife|blade|shank|nank|machete|zombie knife|strap|gun|burner)\b(?=[^.]*\b(?:school|protection|safe|out|on (?:me|him|her)|road|park|gang|estate|bag|pocket|waistband|just in case|scared))|\b(?:going to|gonna|will|'ll|want(?:s)? to) (?:stab|shank|shoot|merk|wet|bore|ching) (?:me|him|her|them|someone|up)\b|\b(?:they|he|she)(?:'ll| will| said| say)[^.]{0,15}\b(?:stab|shank|shoot|kill|hurt|get) (?:me|my (?:mum|family|brother|sister))\b", 0.9, "subject", "knives / threats of violence", True),
    R("gangs_county_lines", r"\b(?:coming home with|comes home with|has|got) (?:loads of |lots of |a )?(?:cash|money|new trainers|designer (?:stuff|clothes)|a new phone|two phones|second phone|burner phone)\b[^.]{0,60}\b(?:can'?t explain|won'?t say|won'?t tell|doesn'?t have a job|no job|missing|out all night|older)\b|\b(?:keeps going|has been going|goes|went) missing\b", 0.8, "subject", "signs of exploitation (money, phones, going missing)", True),

    # --- trafficking and modern slavery ------------------------------------------------------------------------------------------
    R("trafficking", r"\b(?:took|take|taken|keep|keeps|kept|has|holds|holding) (?:my|her|his|our|their) (?:passports?|documents|papers|ids?)\b|\b(?:work|working|worked|works) (?:for no|without|with no) (?:pay|money|wages)\b|\b(?:brought|moved|sent|smuggled) (?:me|her|him|us) (?:here|to (?:the uk|england|london|this country))\b[^.]{0,40}\b(?:work|job|debt|owe|pay back|clean|nails|car wash|farm|cannabis)\b|\b(?:was|were|been|got|is|are) (?:brought|moved|sent|smuggled|trafficked) (?:here|to (?:the uk|england|london|this country))\b[^.]{0,60}\b(?:work|job|debt|owe|pay back|clean|nails|car wash|farm|cannabis|for free)\b|\bowe[sd]? (?:them|him|her|the \w+) (?:for|money for) (?:the|my|her|his|their) (?:journey|travel|trip|boat|lorry|visa)\b|\b(?:owe|pay (?:off|back)) (?:a |the )?(?:debt|money)\b[^.]{0,30}\b(?:bringing|journey|travel|getting me here|the boat|the lorry)\b|\b(?:not allowed|can'?t|cannot) (?:to )?(?:leave|go out|see anyone)\b[^.]{0,40}\b(?:work|boss|house|passport|money)\b", 1.0, "subject", "trafficking / modern slavery", True),

    # --- substance misuse -------------------------------------------------------------------------------------------------------------
    R("substance_misuse", rf"{_USER}(?: \w+)? (?:drinking|using|smoking|sniffing|snorting) {_HOW_OFTEN}"
                          rf"|{_USER}(?: \w+)? (?:{_TAKING}) (?:\w+ ){{0,2}}{_HARD_DRUGS}"
                          rf"|{_USER}[^.]{{0,15}}\b(?:drink|drinking|use|using|take|taking|smoke|smoking|sniff|sniffing|snort|snorting|pop|popping) (?:\w+ ){{0,2}}{_SUBSTANCES} (?:\w+ ){{0,4}}{_HOW_OFTEN}"
                          rf"|\b(?=drink|smok|tak|us)(?=[^.]*{_SUBSTANCES})(?:drink\w*|smok\w*|tak\w*|us\w*) (?:\w+ ){{0,9}}(?:so (?:i|she|he) can|to) (?:stop thinking|forget|sleep|cope|numb|not feel|block (?:it|everything) out|get through)\b"
                          r"|\b(?:addicted|hooked) (?:to|on) (?:weed|coke|cocaine|ket|ketamine|alcohol|drink|pills|xanax|vapes?|spice|heroin|painkillers|codeine|gambling)\b"
                          r"|\b(?:drink|drinking|using) to (?:cope|forget|numb|not feel|get through)\b|\bblack(?:ed)? out (?:drunk|every)\b",
      0.8, "subject", "substance misuse", False),
)

# categories whose rules describe concrete events: seen happening to others, they are a concern
OBSERVED = {AB, SX, "trafficking", "gangs_county_lines", "fgm", "forced_marriage"}


# which patterns could match a text, found in one pass (most of the rules' time went on trying them all)
_RULE_GATES = Gates([r.pattern for r in RULES])
_IDIOM_GATES = Gates(IDIOMS)


def idiom_gate(text: str) -> set[int]:
    """The idioms that could occur in `text`, and so in any of its sentences: one gate per post."""
    return _IDIOM_GATES.open(text)


def strip_idioms(s: str, gate: set[int] | None = None) -> tuple[str, list[str]]:
    """`s` with figures of speech replaced by " ~ ", and what was taken out. `gate`: `idiom_gate` of
    a text that contains `s` (else `s` is gated on its own)."""
    removed = []
    for i in sorted(_IDIOM_GATES.open(s) if gate is None else gate):
        rx = IDIOMS[i]

        def sub(m: re.Match) -> str:
            removed.append(m.group(0))
            return " ~ "
        s = rx.sub(sub, s)
    return s, removed


_CLAUSE_BREAK = re.compile(r"[;,:]|\bbut\b|\bthough\b|\balthough\b|\bhowever\b")


@functools.lru_cache(maxsize=64)        # a sentence with several matches is split once
def _clauses(sentence: str) -> tuple[tuple[int, int], ...]:
    """Spans of clauses: split at ; , and 'but' (negation does not cross them)."""
    spans, start = [], 0
    for m in _CLAUSE_BREAK.finditer(sentence):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(sentence)))
    return tuple(spans)


def _negated(sentence: str, start: int) -> bool:
    clause_start = 0
    for a, b in _clauses(sentence):
        if a <= start <= b:
            clause_start = a
            break
    before = sentence[clause_start:start]
    if NEGATION_EXCEPT.search(before[-40:] + sentence[start:start + 20]):
        return False
    return bool(NEGATION.search(before))


def _people(sentence: str, text_has_third: bool) -> list[tuple[int, str]]:
    """Where the sentence mentions a person, in order: the author (I, my, we) or someone else."""
    refs: list[tuple[int, str]] = []
    third_spans = [(t.start(), t.end()) for t in THIRD.finditer(sentence)]
    for a, _ in third_spans:
        refs.append((a, THIRD_PARTY))
    for f in FIRST.finditer(sentence):
        if not any(a <= f.start() < b for a, b in third_spans):
            refs.append((f.start(), DISCLOSURE))
    if text_has_third or third_spans:
        for p in PRONOUN.finditer(sentence):
            if not any(a <= p.start() < b for a, b in third_spans):
                refs.append((p.start(), THIRD_PARTY))
    refs.sort()
    return refs


def _who(rule: Rule, m: re.Match, sentence: str, refs: list[tuple[int, str]], has: "Reading") -> str | None:
    """DISCLOSURE for the author, THIRD_PARTY for someone they know, None for nobody in particular."""
    if rule.who == "first":
        return DISCLOSURE
    if rule.who == "marker":
        return MARKER
    if rule.who == "reflexive":
        word = m.group(0)
        if re.search(r"\b(?:my|me)sel(?:f|ves)\b", word):
            return DISCLOSURE
        if re.search(r"\b(?:your|ur)sel(?:f|ves)\b", word):
            return "you"
        return THIRD_PARTY
    if rule.who == "any":
        return DISCLOSURE if FIRST.search(sentence) else THIRD_PARTY
    # "subject": the nearest person mentioned before the phrase (else just after it) is the one at risk
    before = [r for r in refs if r[0] <= m.start()]
    inside = [r for r in refs if m.start() <= r[0] < m.end()]
    after = [r for r in refs if r[0] >= m.end()]
    if inside:
        return inside[0][1]
    if before:
        return before[-1][1]
    if after:
        return after[0][1]
    # teenagers drop the "I": "s3lf h4rm again last night", "been cutting again"
    if has(CURRENT, sentence) or IMPLICIT_I.match(sentence):
        return DISCLOSURE
    return None


class Reading:
    """Whether each context pattern occurs in a text, remembered for one analysis: a sentence with
    several rule matches is read for past, topic or urgency once, not once per match, and a pattern
    none of whose words is in the text (its literal gate) is not run at all.

    `Reading(whole)`: every text read is a piece of these texts (a sentence, sentences joined by a
    space), so one gate over them serves every piece; `Reading()` gates each text on its own."""

    def __init__(self, whole: Sequence[str] = ()) -> None:
        self.seen: dict[tuple[int, str], bool] = {}
        self.opened: dict[str, set[int]] = {}
        # (a post on one line with ". " between sentences is the same text both ways: read it once)
        self.whole: set[int] | None = set().union(*(_CONTEXT_GATES.open(t) for t in set(whole))) if whole else None

    def __call__(self, rx: re.Pattern, text: str) -> bool:
        key = (id(rx), text)
        if key not in self.seen:
            parts = _CONTEXT_PARTS.get(id(rx))
            if parts is None:
                self.seen[key] = rx.search(text) is not None
            else:
                if self.whole is not None:
                    opened = self.whole
                else:
                    if text not in self.opened:
                        self.opened[text] = _CONTEXT_GATES.open(text)
                    opened = self.opened[text]
                self.seen[key] = any(_PARTS[j].search(text) for j in parts if j in opened)
        return self.seen[key]


def top_level_alternatives(rx: re.Pattern) -> list[re.Pattern]:
    """`\\b(?:a|b|c)\\b` as `\\b(?:a)\\b`, `\\b(?:b)\\b`, ...: the text contains a match of the
    pattern exactly when it contains a match of one of them. Each is gated on its own words, so a
    long list of topic markers costs only the few whose words are in the text (`re` tried every
    alternative at every position). Any other shape is kept whole."""
    src = rx.pattern
    if not (src.startswith(r"\b(?:") and src.endswith(r")\b")):
        return [rx]
    inner, parts, depth, start, i, in_class = src[5:-3], [], 0, 0, 0, False
    while i < len(inner):
        ch = inner[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:               # the opening group closes before the end: not one alternation
                return [rx]
        elif ch == "|" and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
        i += 1
    parts.append(inner[start:])
    return [re.compile(r"\b(?:" + part + r")\b", rx.flags) for part in parts]


_CONTEXT = (TOPIC_RX, CURRENT, PAST_RX, RECOVERY, RELAPSE, INDIRECT_RX, URGENT, THIRD)
_SPLIT = [top_level_alternatives(rx) for rx in _CONTEXT]
_PARTS = [part for parts in _SPLIT for part in parts]
_BOUNDS = list(itertools.accumulate(map(len, _SPLIT), initial=0))
# a context pattern -> the indexes of its parts in _PARTS
_CONTEXT_PARTS = {id(rx): range(_BOUNDS[k], _BOUNDS[k + 1]) for k, rx in enumerate(_CONTEXT)}
_CONTEXT_GATES = Gates(_PARTS)


# the name of a subject on its own: a topic marker beside it, in the sentence before or after, makes
# it talk about the topic ("for RE we're doing forced marriage? teacher wants us to research it")
_TOPIC_NAME = _rx(r"^(?:fgm|female (?:genital )?(?:mutilation|circumcision|cutting)|forced marriage|county ?lines?|cuckooing)$")
_ASKS_WHAT_IF = _rx(r"\b(?:if i (?:told|tell|said)|asking for a friend|what (?:would|will) happen if (?:i|my))\b")


def analyse(doc: Normalised) -> Signal:
    findings: list[Finding] = []
    best: dict[str, float] = {}
    # one pass over the whole text picks the rules worth trying; a sentence none of them matches
    # is skipped (a 100 KB text costs a few milliseconds)
    candidates = {i for i in _RULE_GATES.open(doc.match) if RULES[i].pattern.search(doc.match)}
    if not candidates:
        return Signal("rules", scores={}, findings=[])
    sentences = doc.sentences or ([doc.match] if doc.match else [])
    # each sentence, a sentence with idioms taken out, and a window of sentences joined by a space
    # are pieces of the text or of its sentences joined the same way
    has = Reading((doc.match, " ".join(sentences)))
    text_has_third = has(THIRD, doc.match)
    # "used to ..." in one sentence and "clean a year" in the next still reads as one recovery story
    whole_past = has(PAST_RX, doc.match) and not has(CURRENT, doc.match)
    idioms_open: set[int] | None = None
    for si, sentence in enumerate(sentences):
        # the few rules that matched the whole text are tried on each sentence directly (cheaper
        # than gating every sentence again)
        if not any(RULES[i].pattern.search(sentence) for i in candidates):
            continue
        if idioms_open is None:
            idioms_open = idiom_gate(doc.match)
        s, idioms = strip_idioms(sentence, idioms_open)
        if idioms:
            findings.append(Finding("rules", "none", 0.0, "figure of speech, not risk", status=TOPIC,
                                    evidence="; ".join(idioms)[:200]))
        if len(s) > 2000:
            s = s[:2000]
        refs: list[tuple[int, str]] | None = None
        for rule in (RULES[i] for i in sorted(candidates)):
            for m in rule.pattern.finditer(s):
                if refs is None and rule.who == "subject":
                    refs = _people(s, text_has_third)
                who = _who(rule, m, s, refs or [], has)
                if who is None and rule.category in OBSERVED and len(m.group(0).split()) >= 3 \
                        and not has(TOPIC_RX, s):
                    # "a man waits outside the school offering girls lifts": a concrete event the
                    # author has seen happen to others is a concern about them
                    status = THIRD_PARTY
                elif who is None:
                    status = TOPIC
                elif who == "you":
                    # "kill yourself" aimed at someone: harassment, handled by the bullying rule
                    continue
                else:
                    status = who
                if _negated(s, m.start()) and status not in (TOPIC, MARKER):
                    status = NEGATED
                window = " ".join(sentences[max(0, si - 1):si + 2])
                context_past = has(PAST_RX, window) or whole_past
                if status in (DISCLOSURE, THIRD_PARTY) and (
                        (context_past and not has(CURRENT, s))
                        or (has(RECOVERY, window) and not has(RELAPSE, s))):
                    status = PAST
                if status in (DISCLOSURE, THIRD_PARTY) and not rule.urgent and not _ASKS_WHAT_IF.search(s) and (
                        has(TOPIC_RX, s) or (_TOPIC_NAME.match(m.group(0).strip()) and has(TOPIC_RX, window))):
                    status = TOPIC
                if status in (DISCLOSURE, THIRD_PARTY, TOPIC) and has(INDIRECT_RX, doc.match) and (
                        status != TOPIC or has(INDIRECT_RX, s)):
                    status = INDIRECT
                urgent = rule.urgent or has(URGENT, s)
                score = rule.weight if status in (DISCLOSURE, THIRD_PARTY, INDIRECT, MARKER) else rule.weight * 0.2
                if status == INDIRECT:
                    score *= 0.9
                words = m.group(0).strip()
                reason = {
                    DISCLOSURE: f"{rule.label} (author)",
                    THIRD_PARTY: f"{rule.label} (someone the author knows)",
                    INDIRECT: f"{rule.label} (indirect: 'what if' / for a friend)",
                    PAST: f"{rule.label}, in the past / recovery",
                    NEGATED: f"{rule.label}, negated",
                    TOPIC: f"{rule.label}, talked about as a topic",
                    MARKER: rule.label,
                }[status]
                findings.append(Finding(
                    "rules", rule.category, score, reason, status=status, evidence=words[:160],
                    urgent=urgent and status in (DISCLOSURE, THIRD_PARTY),
                    self_risk=rule.self_risk and status in (DISCLOSURE, INDIRECT),
                    extra={"sentence": sentence[:240]}))
                best[rule.category] = max(best.get(rule.category, 0.0), score)
    findings = [f for f in findings if f.category != "none" or not any(g.category != "none" for g in findings)]
    return Signal("rules", scores={f"rules.{k}": round(v, 4) for k, v in best.items()}, findings=findings)
