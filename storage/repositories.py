"""Every repository and record in one import; each lives in its own module."""

from storage.analyses import AnalysisRepository, ExtractionRepository
from storage.answers import AnswerRepository
from storage.chats import KEEP, ChatRepository
from storage.deliveries import DeliveryRepository
from storage.last_chats import LastChatRepository
from storage.papers import FeedSnapshotRepository, PaperRepository
from storage.questions import NewQuestion, QuestionRepository, StoredQuestion
from storage.records import (
    ChatSettings,
    ReportPaper,
    RunRecord,
    StoredAnalysis,
    StoredExtraction,
    StoredReport,
    Subscription,
    ThreadRecord,
    Vote,
)
from storage.reports import DEFAULT_SCOPE, ReportRepository
from storage.runs import RunRepository
from storage.subscriptions import SubscriptionRepository
from storage.usage import UsageRepository
from storage.vectors import VectorRepository
from storage.votes import VoteRepository

__all__ = [
    "DEFAULT_SCOPE",
    "KEEP",
    "AnalysisRepository",
    "AnswerRepository",
    "ChatRepository",
    "ChatSettings",
    "DeliveryRepository",
    "ExtractionRepository",
    "FeedSnapshotRepository",
    "LastChatRepository",
    "NewQuestion",
    "PaperRepository",
    "QuestionRepository",
    "ReportPaper",
    "ReportRepository",
    "RunRecord",
    "RunRepository",
    "StoredAnalysis",
    "StoredExtraction",
    "StoredQuestion",
    "StoredReport",
    "Subscription",
    "SubscriptionRepository",
    "ThreadRecord",
    "UsageRepository",
    "VectorRepository",
    "Vote",
    "VoteRepository",
]
